"""The operator's dashboards (figures, SVG charts with a data table, CSV export of each table)."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from opencpf.catalogue.geo import REGIONS
from opencpf.core import clock, csvsafe
from opencpf.core.audit import audit_record
from opencpf.support import dashboards
from opencpf.web.access import agent_required
from opencpf.web.charts import bar_chart

DEFAULT_DAYS = 30


def _date(raw: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(raw) if raw else default
    except ValueError:
        return default


def _filters(request: HttpRequest) -> dashboards.Filters:
    today = clock.today()
    date_to = _date(request.GET.get("au"), today)
    date_from = _date(request.GET.get("du"), date_to - dt.timedelta(days=DEFAULT_DAYS - 1))
    if date_from > date_to:
        date_from, date_to = date_to, date_from
    region = request.GET.get("region", "")
    basis = request.GET.get("base", "holder")
    return dashboards.Filters(
        date_from=date_from,
        date_to=date_to,
        region=region if region in REGIONS else "",
        region_basis=basis if basis in dashboards.REGION_BASES else "holder",
    )


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100},{abs(cents) % 100:02d}"


@agent_required("support.view_dashboard")
def dashboard(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    tables = dashboards.all_tables(filters)
    charts = [
        (t, bar_chart(chart_id=f"graphique-{t.name}", title=t.title, data=t.chart, money=t.chart_money)) for t in tables
    ]
    return render(
        request,
        "backoffice/dashboard.html",
        {
            "title": "Tableaux de bord",
            "filters": filters,
            "charts": charts,
            "regions": sorted(REGIONS.items(), key=lambda kv: kv[1]),
            "bases": dashboards.REGION_BASES.items(),
            "query": request.GET.urlencode(),
        },
    )


@agent_required("support.view_dashboard")
def dashboard_csv(request: HttpRequest, name: str) -> HttpResponse:
    filters = _filters(request)
    table = dashboards.table_named(name, filters)
    if table is None:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{table.name}_{filters.date_from}_{filters.date_to}.csv"'
    writer = csvsafe.writer(response, delimiter=";")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([_money(v) if i in table.money_columns else v for i, v in enumerate(row)])
    audit_record(action="support.dashboard.export", request=request, data={"table": name})
    return response
