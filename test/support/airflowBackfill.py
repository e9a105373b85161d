"""`airflow backfill create` that first waits until the DAG processor has stored the DAG.

Usage: python airflowBackfill.py DAG_ID TIMEOUT_SECONDS [backfill create options…]

Importing Airflow is most of a CLI command's time: this imports it while the DAG processor parses
the DAG file, instead of after (airflowScheduler.ts).
"""
import sys
import time

from airflow.__main__ import main
from airflow.cli.commands import backfill_command  # noqa: F401 (imported now, not after the wait)
from airflow.models.serialized_dag import SerializedDagModel

dag_id = sys.argv[1]
deadline = time.monotonic() + float(sys.argv[2])
while not SerializedDagModel.has_dag(dag_id):
    if time.monotonic() > deadline:
        sys.exit(f"the DAG processor did not store DAG {dag_id} within {sys.argv[2]} s")
    time.sleep(0.25)
sys.argv = ["airflow", "backfill", "create", "--dag-id", dag_id, *sys.argv[3:]]
main()
