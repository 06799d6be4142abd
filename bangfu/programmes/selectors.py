{% extends "base.html" %}{% load i18n exports %}
{% block title %}{{ programme.name }}{% endblock %}
{% block content %}
<nav aria-label="breadcrumb"><ul><li><a href="{% url 'programmes:programme_list' %}">{% translate "帮扶项目" %}</a></li><li>{{ programme.name }}</li></ul></nav>
<hgroup><h1>{{ programme.name }}</h1>
  <p>{{ programme.region.full_name }} · {{ programme.get_period_kind_display }} {{ programme.starts_on|date:"Y-m-d" }} — {{ programme.ends_on|date:"Y-m-d" }}{% if programme.owner %} · {{ programme.owner.name }}{% endif %}</p></hgroup>
<p><a role="button" href="{% url 'compliance:rows' %}?programme={{ programme.pk }}">{% translate "落实情况" %}</a>
{% if can_edit %}<a role="button" class="outline" href="{% url 'programmes:pairing_create' programme.pk %}">{% translate "新增结对" %}</a>
  <a role="button" class="outline" href="{% url 'programmes:pairing_register_upload' programme.pk %}">{% translate "按名册批量结对" %}</a>{% endif %}
{% if can_setup %}<a role="button" class="outline" href="{% url 'programmes:obligation_add' programme.pk %}">{% translate "添加帮扶要求" %}</a>
<a role="button" class="outline" href="{% url 'programmes:term_add' programme.pk %}">{% translate "设置学期" %}</a>
<a role="button" class="outline secondary" href="{% url 'programmes:programme_edit' programme.pk %}">{% translate "修改项目" %}</a>{% endif %}</p>

<section><h2>{% translate "帮扶要求" %}</h2>
<div class="table-wrap"><table class="register"><thead><tr><th>{% translate "要求" %}</th><th>{% translate "完成方" %}</th><th>{% translate "活动类型" %}</th>
  <th>{% translate "最低要求" %}</th><th>{% translate "周期" %}</th><th class="hide-sm">{% translate "适用条件" %}</th><th class="hide-sm">{% translate "宽限" %}</th></tr></thead>
<tbody>{% for o in obligations %}<tr><td>{{ o.name }}{% if can_setup %} <a class="small" href="{% url 'programmes:obligation_edit' programme.pk o.pk %}">{% translate "修改" %}</a>{% endif %}</td>
  <td>{% if o.actor == "helper" %}{{ programme.helper_label }}{% else %}{{ programme.target_label }}{% endif %}</td><td>{{ o.kind }}{% if o.counterpart_only %}（{% translate "限结对方" %}）{% endif %}</td>
  <td>{{ o.minimum|floatformat:"-1" }} {{ o.unit }}</td><td>{{ o.get_period_display }}{% if o.window %} · {{ o.get_window_display }}{% endif %}</td>
  <td class="hide-sm">{% if o.condition_attribute %}{{ o.condition_attribute }} ∈ {{ o.condition_values|join:"、" }}{% else %}—{% endif %}</td>
  <td class="hide-sm">{{ o.grace_days }} {% translate "天" %}</td></tr>
{% empty %}<tr><td colspan="7" class="muted">{% translate "尚未设置帮扶要求" %}</td></tr>{% endfor %}</tbody></table></div>
{% if terms %}<p class="small muted">{% translate "学期" %}：{% for t in terms %}{{ t.name }}（{{ t.starts_on|date:"Y-m-d" }} — {{ t.ends_on|date:"Y-m-d" }}）{% if can_setup %} <a href="{% url 'programmes:term_edit' programme.pk t.pk %}">{% translate "修改" %}</a>{% endif %}{% if not forloop.last %}；{% endif %}{% endfor %}</p>{% endif %}
{% if capacity_rules %}<p class="small muted">{% translate "结对数上限" %}：{% for r in capacity_rules %}{% blocktranslate with rank=r.rank_label|default:_("其他帮扶人") n=r.max_targets %}{{ rank }} {{ n }} 户{% endblocktranslate %}{% if not forloop.last %}、{% endif %}{% endfor %}</p>{% endif %}
</section>

<div class="grid">
<section><h2>{% translate "未落实帮扶责任人" %}</h2>{% if uncovered %}{% export_buttons "uncovered" programme=programme.pk %}{% endif %}
  <ul>{% for t in uncovered %}<li>{{ t.head.name|default:t }} <span class="muted small">{{ t.region.name }}</span></li>{% empty %}<li class="muted">{% translate "全部已结对" %}</li>{% endfor %}</ul></section>
<section><h2>{% translate "超出结对上限" %}</h2>{% if over_capacity %}{% export_buttons "over_capacity" programme=programme.pk %}{% endif %}
  <ul>{% for p in over_capacity %}<li>{{ p.name }}（{{ p.get_rank_display|default:"—" }}）{{ p.pairing_count }} / {{ p.limit }}</li>{% empty %}<li class="muted">{% translate "无" %}</li>{% endfor %}</ul></section>
</div>

<section><h2>{% translate "工作计划" %}</h2>
<ol>{% for phase in phases %}<li><strong>{{ phase.name }}</strong> {{ phase.starts_on|date:"Y-m-d" }} — {{ phase.ends_on|date:"Y-m-d" }} · {{ phase.status_shown }}
  {% if phase.tasks.all %}<ul>{% for t in phase.tasks.all %}<li>{{ t.name }} · {{ t.owner|default:"—" }} · {{ t.due_on|date:"Y-m-d" }} · {{ t.get_status_display }}</li>{% endfor %}</ul>{% endif %}</li>{% endfor %}</ol>
</section>

<section><h2>{% translate "结对名单" %}</h2>
<div class="list-head">{% export_buttons "pairings" programme=programme.pk %}<span class="small muted">{% translate "全部活动记录：" %}</span>{% export_buttons "activities" programme=programme.pk %}</div>
<form method="get"><input type="search" name="q" value="{{ q }}" placeholder="{% translate '姓名 / 户编号 / 单位' %}"></form>
{% include "programmes/_pairing_rows.html" %}
</section>
{% endblock %}


def programme_phases(*, programme: Programme, as_of) -> list:
    """The work plan's phases with the status their dates give on `as_of` (进行中 / 已结束), unless
    marked done: a phase is not 未开始 after its dates (issue 14)."""
    phases = list(programme.phases.prefetch_related("tasks"))
    for phase in phases:
        if phase.status == "done":
            phase.status_shown = phase.get_status_display()
        elif phase.ends_on and phase.ends_on < as_of:
            phase.status_shown = _("已结束")
        elif phase.starts_on and phase.starts_on <= as_of:
            phase.status_shown = _("进行中")
        else:
            phase.status_shown = _("未开始")
    return phases
