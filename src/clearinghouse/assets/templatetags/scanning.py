"""`{% scanning_summary user %}`: the dashboard's scanning section, without touching its view."""

from __future__ import annotations

from typing import Any

from django import template

from clearinghouse.accounts.models import User
from clearinghouse.accounts.permissions import can
from clearinghouse.paging import first_page

from .. import services

register = template.Library()


@register.inclusion_tag("assets/_dashboard.html")
def scanning_summary(user: User) -> dict[str, Any]:
    """The first assets and open findings by severity, for those who may open the assets."""
    if not can(user, "assets.browse"):
        return {"shown": False}
    return {
        "shown": True,
        "user": user,
        "assets": first_page(services.assets_for(user)),
        "may_see_impact": can(user, "assets.see_impact"),
        "by_severity": services.open_by_severity(user),
        "trend": trend_chart(services.open_trend(user)),
    }


#: Each severity's line: a colour and a dash pattern, so the lines differ without colour too.
LINE_STYLES = {
    "critical": ("#b50909", ""),
    "high": ("#c05600", "8 4"),
    "medium": ("#775540", "3 3"),
    "low": ("#005ea2", "10 3 2 3"),
    "unknown": ("#565c65", "1 4"),
}
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 220, 44, 12, 12, 36


def trend_chart(trend: services.Trend) -> dict[str, Any]:
    """The geometry of the trend's inline SVG: one polyline per severity, axes, the table rows."""
    top = max((max(counts) for counts in trend.series.values()), default=0)
    top = max(top, 1)
    span = max(len(trend.days) - 1, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(index: int) -> float:
        return round(LEFT + plot_w * index / span, 1)

    def y(count: int) -> float:
        return round(TOP + plot_h * (1 - count / top), 1)

    lines = [
        {
            "severity": severity,
            "colour": LINE_STYLES[severity][0],
            "dash": LINE_STYLES[severity][1],
            "points": " ".join(f"{x(i)},{y(c)}" for i, c in enumerate(counts)),
            "now": counts[-1] if counts else 0,
        }
        for severity, counts in trend.series.items()
    ]
    ticks = sorted({0, top // 2, top})
    labelled = range(0, len(trend.days), 7)
    first, last = trend.days[0], trend.days[-1]
    summary = ", ".join(f"{line['now']} {line['severity']}" for line in lines)
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bottom": HEIGHT - BOTTOM,
        "lines": lines,
        "y_ticks": [{"y": y(t), "label": t} for t in ticks],
        "x_ticks": [
            {"x": x(i), "label": f"{trend.days[i]:%b} {trend.days[i].day}"} for i in labelled
        ],
        "label_y": HEIGHT - BOTTOM + 18,
        "description": (
            f"Open findings per day by severity, {first:%B} {first.day} to "
            f"{last:%B} {last.day}, {last.year} (UTC). "
            f"Now: {summary}."
        ),
        "rows": [
            {"day": day, "counts": [trend.series[s][i] for s in trend.series]}
            for i, day in enumerate(trend.days)
        ][::-1],
        "severities": list(trend.series),
    }
