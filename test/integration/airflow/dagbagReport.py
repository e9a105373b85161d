"""Loads every DAG file in a folder with Airflow's DagBag and prints what Airflow sees, as JSON.

Usage: python dagbagReport.py DAG_FOLDER. Besides ids and edges it renders each task's `env` with
the DAG's own Jinja environment, as Airflow does (run_id/ds/ts made up here, the same for every DAG as Airflow's run ids
are; helpers.ts REPORT_RUN_ID), so tests can check that data survives Airflow's template rendering
unchanged and that each pipeline still gets its own run id.
"""
import json
import sys
import time

try:
    from airflow.dag_processing.dagbag import DagBag
except ImportError:
    from airflow.models.dagbag import DagBag
from airflow import __version__


def timedelta_seconds(value):
    return None if value is None else value.total_seconds()


def describe(dag):
    jinja = dag.get_template_env()
    tasks = {}
    for task in dag.tasks:
        # As Airflow renders a task's templated fields before it runs (literal() values pass as they are).
        rendered = task.render_template(task.env or {}, {"run_id": "manual__2024-05-06T07:08:09+00:00", "ds": "2024-05-06", "ts": "2024-05-06T07:08:09+00:00"}, jinja)
        tasks[task.task_id] = {
            "downstream": sorted(task.downstream_task_ids),
            "bash_command": task.bash_command,
            "env": rendered,
            "append_env": task.append_env,
            "retries": task.retries,
            "retry_delay": timedelta_seconds(task.retry_delay),
            "retry_exponential_backoff": bool(task.retry_exponential_backoff),
            "execution_timeout": timedelta_seconds(task.execution_timeout),
            "owner": task.owner,
            "doc_md": task.doc_md,
        }
    schedule = getattr(dag, "schedule", None)
    if schedule is None:  # Airflow 2 keeps the string in schedule_interval
        schedule = getattr(dag, "schedule_interval", None)
    if not isinstance(schedule, (str, type(None))):
        schedule = getattr(dag.timetable, "summary", str(schedule))
    return {
        "fileloc": dag.fileloc,
        "description": dag.description,
        "doc_md": dag.doc_md,
        "tags": sorted(dag.tags or []),
        "schedule": schedule,
        "catchup": dag.catchup,
        "max_active_runs": dag.max_active_runs,
        "start_date": dag.start_date.isoformat() if dag.start_date else None,
        "tasks": tasks,
    }


def main():
    started = time.monotonic()
    try:
        bag = DagBag(dag_folder=sys.argv[1], include_examples=False)
    except TypeError:  # Airflow 3.2+ has no include_examples: examples are a separate bundle
        bag = DagBag(dag_folder=sys.argv[1])
    report = {
        "airflow": __version__,
        "seconds": time.monotonic() - started,
        "import_errors": {str(k): str(v) for k, v in bag.import_errors.items()},
        "warnings": {str(k): [str(w) for w in v] for k, v in getattr(bag, "captured_warnings", {}).items()},
        "dags": {dag_id: describe(dag) for dag_id, dag in bag.dags.items()},
    }
    print("AGENT_ETL_REPORT " + json.dumps(report))


main()
