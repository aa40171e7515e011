"""Pack and WorkerHeartbeat leave the dialogue app for dialogue/packs (label packs).

State only: the tables (dialogue_pack, dialogue_workerheartbeat) and every row
stay where they are; packs/0001 takes them over under the same names, and moves
their content types (so their permissions and the groups holding them) too.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("dialogue", "0005_meeting_documents"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Pack"),
                migrations.DeleteModel(name="WorkerHeartbeat"),
            ],
            database_operations=[],
        ),
    ]
