"""The lead department's page of running cases (督办): running cases, overdue tasks, actual working
days against promised (cases/actuals.py), and the department tokens (never the tokens themselves)."""

from __future__ import annotations

from flask import current_app
from flask_admin import BaseView, expose
from sqlalchemy import select

from configurator.cases import store as cases_store
from configurator.cases.actuals import BUNDLE, actuals
from configurator.planning.calendar import WorkingCalendar
from configurator.web.access import Protected


class CasesView(Protected, BaseView):
    role = "viewer"

    @expose("/")
    def index(self) -> str:
        engine = cases_store.open_database(current_app.config["DATABASE_URL"])
        with engine.connect() as connection:
            running = list(connection.execute(select(cases_store.applications).where(
                cases_store.applications.c.state == "running").order_by(cases_store.applications.c.submitted_at.desc())
                .limit(200)).mappings())
            overdue = list(connection.execute(select(cases_store.tasks, cases_store.escalations.c.escalated_to,
                                                     cases_store.escalations.c.at.label("escalated_at"))
                                              .join(cases_store.escalations, cases_store.escalations.c.task == cases_store.tasks.c.id)
                                              .where(cases_store.tasks.c.state != "done")
                                              .order_by(cases_store.tasks.c.due_date)).mappings())
        return self.render("configurator/cases.html", running=running, overdue=overdue, actuals=actuals(engine, WorkingCalendar()),
                           whole=BUNDLE, tokens=cases_store.list_tokens(engine),
                           engine=current_app.config.get("TEMPORAL"))
