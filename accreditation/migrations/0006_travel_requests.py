"""Travel requests and flight change requests; the Secretariat gets their
permissions (the travel desk's queues), Drafters none."""

import delegations.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models


MODELS = (
    "travelrequest",
    "historicaltravelrequest",
    "flightchangerequest",
    "historicalflightchangerequest",
)


def grant(apps, schema_editor):
    config = apps.get_app_config("accreditation")
    config.models_module = True
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    secretariat, _ = group_model.objects.get_or_create(name="Secretariat")
    secretariat.permissions.add(
        *permission_model.objects.filter(
            content_type__app_label="accreditation", content_type__model__in=MODELS
        )
    )


def revoke(apps, schema_editor):
    apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="accreditation", content_type__model__in=MODELS
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accreditation", "0005_credentials"),
        ("delegations", "0012_delegate_accreditation"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalFlightChangeRequest",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "requested_by",
                    models.CharField(
                        choices=[
                            ("focal_point", "focal point"),
                            ("delegate", "delegate"),
                        ],
                        max_length=12,
                        verbose_name="requested by",
                    ),
                ),
                ("change", models.TextField(verbose_name="change requested")),
                (
                    "new_date",
                    models.DateField(
                        blank=True, null=True, verbose_name="new preferred date"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "waiting for the travel desk"),
                            ("accepted", "accepted"),
                            ("declined", "declined"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "reason",
                    models.TextField(
                        blank=True,
                        help_text="Sent to the focal point with the declined request.",
                        verbose_name="reason declined",
                    ),
                ),
                (
                    "submitted_at",
                    models.DateTimeField(
                        blank=True, editable=False, verbose_name="submitted"
                    ),
                ),
                (
                    "reviewed_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="reviewed"
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                        max_length=1,
                    ),
                ),
                (
                    "flight",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="delegations.flightleg",
                        verbose_name="flight",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="reviewed by",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical flight change request",
                "verbose_name_plural": "historical flight change requests",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalTravelRequest",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "departure_city",
                    models.CharField(
                        help_text="As the focal point wrote it.",
                        max_length=100,
                        verbose_name="city of departure",
                    ),
                ),
                (
                    "departure_airport",
                    models.CharField(
                        max_length=3,
                        validators=[delegations.validators.validate_iata],
                        verbose_name="departure airport (IATA)",
                    ),
                ),
                (
                    "outbound_date",
                    models.DateField(verbose_name="preferred outbound date"),
                ),
                ("return_date", models.DateField(verbose_name="preferred return date")),
                ("notes", models.TextField(blank=True, verbose_name="notes")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "waiting for the travel desk"),
                            ("booked", "booked"),
                            ("declined", "declined"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "reason",
                    models.TextField(
                        blank=True,
                        help_text="Sent to the focal point with the declined request.",
                        verbose_name="reason declined",
                    ),
                ),
                (
                    "submitted_at",
                    models.DateTimeField(
                        blank=True, editable=False, verbose_name="submitted"
                    ),
                ),
                (
                    "reviewed_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="reviewed"
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                        max_length=1,
                    ),
                ),
                (
                    "delegate",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="delegations.delegate",
                        verbose_name="delegate",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="reviewed by",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical travel request",
                "verbose_name_plural": "historical travel requests",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="FlightChangeRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "requested_by",
                    models.CharField(
                        choices=[
                            ("focal_point", "focal point"),
                            ("delegate", "delegate"),
                        ],
                        max_length=12,
                        verbose_name="requested by",
                    ),
                ),
                ("change", models.TextField(verbose_name="change requested")),
                (
                    "new_date",
                    models.DateField(
                        blank=True, null=True, verbose_name="new preferred date"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "waiting for the travel desk"),
                            ("accepted", "accepted"),
                            ("declined", "declined"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "reason",
                    models.TextField(
                        blank=True,
                        help_text="Sent to the focal point with the declined request.",
                        verbose_name="reason declined",
                    ),
                ),
                (
                    "submitted_at",
                    models.DateTimeField(auto_now_add=True, verbose_name="submitted"),
                ),
                (
                    "reviewed_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="reviewed"
                    ),
                ),
                (
                    "flight",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="change_requests",
                        to="delegations.flightleg",
                        verbose_name="flight",
                    ),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="reviewed by",
                    ),
                ),
            ],
            options={
                "verbose_name": "flight change request",
                "verbose_name_plural": "flight change requests",
                "ordering": ["-submitted_at", "-pk"],
                "permissions": [
                    ("review_flight_change", "Can accept or decline changes")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("status", "pending")),
                        fields=("flight",),
                        name="one_open_change_request_per_flight",
                        violation_error_message="A change to this flight is already waiting for the travel desk.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("change", ""), _negated=True),
                        name="flight_change_says_what",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "declined"), _negated=True),
                            models.Q(("reason", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="flight_change_declined_with_reason",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="TravelRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "departure_city",
                    models.CharField(
                        help_text="As the focal point wrote it.",
                        max_length=100,
                        verbose_name="city of departure",
                    ),
                ),
                (
                    "departure_airport",
                    models.CharField(
                        max_length=3,
                        validators=[delegations.validators.validate_iata],
                        verbose_name="departure airport (IATA)",
                    ),
                ),
                (
                    "outbound_date",
                    models.DateField(verbose_name="preferred outbound date"),
                ),
                ("return_date", models.DateField(verbose_name="preferred return date")),
                ("notes", models.TextField(blank=True, verbose_name="notes")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "waiting for the travel desk"),
                            ("booked", "booked"),
                            ("declined", "declined"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "reason",
                    models.TextField(
                        blank=True,
                        help_text="Sent to the focal point with the declined request.",
                        verbose_name="reason declined",
                    ),
                ),
                (
                    "submitted_at",
                    models.DateTimeField(auto_now_add=True, verbose_name="submitted"),
                ),
                (
                    "reviewed_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="reviewed"
                    ),
                ),
                (
                    "delegate",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="travel_requests",
                        to="delegations.delegate",
                        verbose_name="delegate",
                    ),
                ),
                (
                    "flights",
                    models.ManyToManyField(
                        blank=True,
                        related_name="travel_requests",
                        to="delegations.flightleg",
                        verbose_name="flights booked",
                    ),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="reviewed by",
                    ),
                ),
            ],
            options={
                "verbose_name": "travel request",
                "verbose_name_plural": "travel requests",
                "ordering": ["-submitted_at", "-pk"],
                "permissions": [("book_travel", "Can book or decline travel requests")],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("status", "pending")),
                        fields=("delegate",),
                        name="one_open_travel_request_per_delegate",
                        violation_error_message="A travel request for this delegate is already waiting for the travel desk.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("return_date__gte", models.F("outbound_date"))
                        ),
                        name="travel_returns_after_outbound",
                        violation_error_message="The return date must not be before the outbound date.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "declined"), _negated=True),
                            models.Q(("reason", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="travel_declined_with_reason",
                    ),
                ],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
