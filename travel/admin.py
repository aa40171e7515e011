from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from dialogue.admin_history import ReadOnlyHistoryAdmin
from dialogue.admin_inlines import LabelledTabularInline
from dialogue.ids import parse_id
from dialogue.models import Meeting
from dialogue.money import format_money
from travel.exports import donor_export, export_links
from travel.models import (
    BudgetSummary,
    Entitlement,
    LumpSum,
    Payment,
    StayProvision,
    TravelRules,
    VisaFee,
)
from travel.receipts import check_receipt, check_size
from travel.selectors import (
    STAGES,
    budget,
    budget_summaries,
    difference,
    flagged_entitlements,
    paid_per_delegate,
)
from travel.services import (
    check_payable,
    request_budget_summary,
    rules_changed,
    save_lump_sum,
    save_payment,
    save_rules,
    save_visa_fee,
    set_stay_provision,
)

BUDGET_PERMISSION = "travel.view_entitlement"
# Rows (a delegation in one currency) per page of the per-delegation table: the
# totals cover the whole meeting on every page.
BUDGET_ROWS_PER_PAGE = 40
RECEIPT_PERMISSION = "travel.view_receipt"
SUMMARY_LANGUAGES = ("en", "ru")


def money_totals(totals: dict) -> str:
    return ", ".join(format_money(a, c) for c, a in sorted(totals.items())) or "—"


class LumpSumInline(LabelledTabularInline):
    model = LumpSum
    extra = 0
    fields = ("name_en", "name_ru", "amount", "currency")


@admin.register(TravelRules)
class TravelRulesAdmin(ReadOnlyHistoryAdmin):
    list_display = (
        "meeting",
        "dsa_label_en",
        "dsa_rate",
        "currency",
        "budget_line_code",
    )
    readonly_fields = ("recompute_error",)
    inlines = [LumpSumInline]
    actions = ["recompute"]

    def save_model(self, request, obj, form, change):
        save_rules(obj)

    def save_formset(self, request, form, formset, change):
        for obj in formset.deleted_objects:
            obj.delete()
        for lump in formset.save(commit=False):
            save_lump_sum(lump)
        rules_changed(form.instance)

    @admin.action(description=_("Recompute the entitlements"), permissions=["change"])
    def recompute(self, request, queryset):
        for rules in queryset:
            rules_changed(rules)
        self.message_user(
            request,
            _("Entitlements queued for recomputation: %(n)s meetings.")
            % {"n": queryset.count()},
        )


class StayProvisionForm(forms.ModelForm):
    class Meta:
        model = StayProvision
        fields = ("stay", "accommodation_provided", "meals_provided")


@admin.register(StayProvision)
class StayProvisionAdmin(ReadOnlyHistoryAdmin):
    form = StayProvisionForm
    raw_id_fields = ("stay",)
    list_display = ("stay", "delegate", "accommodation_provided", "meals_provided")
    list_select_related = ("stay__delegate",)
    list_filter = ("accommodation_provided", "meals_provided")

    @admin.display(description=_("delegate"))
    def delegate(self, obj):
        return obj.stay.delegate

    def save_model(self, request, obj, form, change):
        set_stay_provision(
            obj.stay,
            accommodation_provided=obj.accommodation_provided,
            meals_provided=obj.meals_provided,
        )


@admin.register(Entitlement)
class EntitlementAdmin(ReadOnlyHistoryAdmin):
    list_display = (
        "delegate",
        "delegation",
        "nights",
        "accommodation_nights",
        "journey_ends",
        "dsa",
        "terminal",
        "total",
        "confirmed",
        "flag",
    )
    list_filter = (
        ("flagged_at", admin.EmptyFieldListFilter),
        "confirmed",
        "delegate__meeting",
    )
    list_select_related = ("delegate__delegation",)
    search_fields = ("delegate__name_latin", "delegate__name_cyrillic")
    readonly_fields = [
        f.name for f in Entitlement._meta.fields if f.name not in ("id",)
    ] + ["paid", "flag"]

    def has_add_permission(self, request):
        return False  # computed, never typed

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("delegation"))
    def delegation(self, obj):
        return obj.delegate.delegation

    @admin.display(description=_("DSA"))
    def dsa(self, obj):
        return format_money(obj.dsa_amount, obj.currency)

    @admin.display(description=_("terminal expenses"))
    def terminal(self, obj):
        return format_money(obj.terminal_amount, obj.currency)

    @admin.display(description=_("entitlement"))
    def total(self, obj):
        return money_totals(obj.totals())

    def _paid_for(self, obj) -> dict:
        meeting = obj.delegate.delegation.meeting_id
        return paid_per_delegate(meeting, delegate_ids=[obj.delegate_id]).get(
            obj.delegate_id, {}
        )

    @admin.display(description=_("paid"))
    def paid(self, obj):
        return money_totals(self._paid_for(obj))

    @admin.display(description=_("recomputed after payment"))
    def flag(self, obj):
        if obj.flagged_at is None:
            return ""
        return _("recomputed after payment, difference %(diff)s") % {
            "diff": money_totals(difference(obj, self._paid_for(obj)))
        }

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("budget/", view(self.budget_view), name="travel_budget"),
            *(
                path(
                    f"budget/export.{extension}",
                    view(self.export_view),
                    {"extension": extension},
                    name=f"travel_budget_{extension}",
                )
                for extension in ("csv", "xlsx")
            ),
            path(
                "budget/summary/",
                view(require_POST(self.summary_request_view)),
                name="travel_budget_summary",
            ),
            path(
                "budget/summary.<str:lang>.pdf",
                view(self.summary_download_view),
                name="travel_budget_summary_pdf",
            ),
            *super().get_urls(),
        ]

    def selected_meeting(self, request) -> Meeting | None:
        meetings = Meeting.objects.all()
        chosen = request.GET.get("meeting") or request.POST.get("meeting")
        if parse_id(chosen):
            return meetings.filter(pk=parse_id(chosen)).first()
        return meetings.first()

    def _require_budget(self, request):
        if not request.user.has_perm(BUDGET_PERMISSION):
            raise PermissionDenied

    def budget_view(self, request):
        self._require_budget(request)
        meeting = self.selected_meeting(request)
        report = budget(meeting)
        summaries = budget_summaries(meeting)
        rows = Paginator(report.rows, BUDGET_ROWS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Travel budget: the whole cost"),
            "meeting": meeting,
            "meetings": Meeting.objects.all(),
            "report": report,
            "rows": rows,
            "stages": STAGES,
            "flagged": flagged_entitlements(meeting) if meeting else [],
            "export_links": export_links(meeting),
            "summaries": [(lang, summaries.get(lang)) for lang in SUMMARY_LANGUAGES],
            "busy": any(
                s.status
                in (BudgetSummary.Status.QUEUED, BudgetSummary.Status.RENDERING)
                for s in summaries.values()
            ),
        }
        return TemplateResponse(request, "admin/travel/budget.html", context)

    def export_view(self, request, extension):
        self._require_budget(request)
        return donor_export(self.selected_meeting(request), extension)

    def summary_request_view(self, request):
        self._require_budget(request)
        meeting = self.selected_meeting(request)
        if meeting is None:
            raise Http404
        for lang in SUMMARY_LANGUAGES:
            request_budget_summary(meeting, language=lang)
        self.message_user(
            request, _("The PDF summaries are queued; this page shows their state.")
        )
        return HttpResponseRedirect(
            reverse("admin:travel_budget") + f"?meeting={meeting.pk}"
        )

    def summary_download_view(self, request, lang):
        self._require_budget(request)
        meeting = self.selected_meeting(request)
        summary = (
            BudgetSummary.objects.filter(
                meeting=meeting, language=lang, status=BudgetSummary.Status.READY
            ).first()
            if meeting and lang in SUMMARY_LANGUAGES
            else None
        )
        if summary is None or not summary.file:
            raise Http404
        response = FileResponse(
            summary.file.open("rb"),
            content_type="application/pdf",
            as_attachment=True,
            filename=f"travel-budget-{meeting.slug}-{lang}.pdf",
        )
        response["Cache-Control"] = "private, no-store"
        return response


class PaymentForm(forms.ModelForm):
    class Meta:
        model = Payment
        fields = (
            "delegate",
            "cost_line",
            "amount",
            "currency",
            "paid_on",
            "method",
            "reference",
        )

    def clean_currency(self):
        return self.cleaned_data["currency"].upper()

    def clean(self):
        cleaned = super().clean()
        delegate = cleaned.get("delegate")
        if delegate is not None and not self.instance.pk:
            try:
                check_payable(delegate)
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


@admin.register(Payment)
class PaymentAdmin(ReadOnlyHistoryAdmin):
    form = PaymentForm
    raw_id_fields = ("delegate",)
    list_display = (
        "delegate",
        "cost_line",
        "shown_amount",
        "paid_on",
        "method",
        "reference",
    )
    list_filter = ("cost_line", "method", "delegate__meeting")
    list_select_related = ("delegate",)
    search_fields = ("delegate__name_latin", "reference")

    @admin.display(description=_("amount"), ordering="amount")
    def shown_amount(self, obj):
        return format_money(obj.amount, obj.currency)

    def has_add_permission(self, request):
        return request.user.has_perm("travel.record_payment") and (
            super().has_add_permission(request)
        )

    def save_model(self, request, obj, form, change):
        save_payment(obj)


class VisaFeeForm(forms.ModelForm):
    receipt_upload = forms.FileField(
        label=_("receipt (PDF, JPEG or PNG)"),
        required=False,
        help_text=_("Stored privately; only staff allowed to see receipts open it."),
    )

    class Meta:
        model = VisaFee
        fields = (
            "delegate",
            "amount",
            "currency",
            "paid_on",
            "status",
            "reimbursed_on",
        )

    def clean_currency(self):
        return self.cleaned_data["currency"].upper()

    def clean_receipt_upload(self):
        upload = self.cleaned_data.get("receipt_upload")
        if not upload:
            return None
        check_size(upload.size)  # before reading it all into memory
        data = upload.read()
        check_receipt(data)
        return data


@admin.register(VisaFee)
class VisaFeeAdmin(ReadOnlyHistoryAdmin):
    form = VisaFeeForm
    raw_id_fields = ("delegate",)
    list_display = (
        "delegate",
        "shown_amount",
        "paid_on",
        "status",
        "reimbursed_on",
        "receipt_link",
    )
    list_filter = ("status", "delegate__meeting")
    list_select_related = ("delegate",)
    search_fields = ("delegate__name_latin",)
    readonly_fields = ("receipt_link",)

    @admin.display(description=_("amount"), ordering="amount")
    def shown_amount(self, obj):
        return format_money(obj.amount, obj.currency)

    @admin.display(description=_("receipt"))
    def receipt_link(self, obj):
        if not obj or not obj.receipt:
            return "—"
        if not getattr(self, "_may_open", False):
            return _("on file")
        return format_html_join(
            "",
            '<a href="{}">{}</a>',
            [(reverse("admin:travel_visafee_receipt", args=[obj.pk]), _("open"))],
        )

    def changelist_view(self, request, extra_context=None):
        self._may_open = request.user.has_perm(RECEIPT_PERMISSION)
        return super().changelist_view(request, extra_context)

    def changeform_view(self, request, *args, **kwargs):
        self._may_open = request.user.has_perm(RECEIPT_PERMISSION)
        return super().changeform_view(request, *args, **kwargs)

    def save_model(self, request, obj, form, change):
        # The form ran check_receipt already; the service checks it again.
        save_visa_fee(obj, receipt=form.cleaned_data.get("receipt_upload"))

    def get_urls(self):
        return [
            path(
                "<int:fee_id>/receipt/",
                self.admin_site.admin_view(self.receipt_view),
                name="travel_visafee_receipt",
            ),
            *super().get_urls(),
        ]

    def receipt_view(self, request, fee_id):
        if not request.user.has_perm(RECEIPT_PERMISSION):
            raise PermissionDenied
        fee = VisaFee.objects.filter(pk=fee_id).first()
        if fee is None or not fee.receipt:
            raise Http404
        response = FileResponse(
            fee.receipt.open("rb"),
            content_type=fee.receipt_type or "application/octet-stream",
            as_attachment=True,
            filename=f"visa-fee-receipt-{fee.pk}.{fee.receipt.name.rsplit('.', 1)[-1]}",
        )
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response
