#!/usr/bin/env python3
"""Writes lvs-director.json, the Grafana dashboard. Edit here and run it (python3 generate.py): the panels are
laid out on Grafana's 24-column grid row by row, so a panel added in the middle moves the rest.
MonitoringContractTest checks that every expression reads only metrics the service exports, DashboardTest
the JSON's structure."""
import json, os

DS = {"type": "prometheus", "uid": "${datasource}"}
SEL = 'instance=~"$instance"'
SVC = 'instance=~"$instance", service=~"$service"'

panels = []
x = y = 0
row_h = 0
pid = 0

def row(title):
    global x, y, row_h, pid
    if x:
        y += row_h
    x, row_h = 0, 0
    pid += 1
    panels.append({"id": pid, "type": "row", "title": title, "collapsed": False,
                   "gridPos": {"h": 1, "w": 24, "x": 0, "y": y}, "panels": []})
    y += 1

def panel(title, kind, w, h, targets, unit=None, description=None, **extra):
    global x, y, row_h, pid
    if x + w > 24:
        x, y, row_h = 0, y + row_h, 0
    pid += 1
    p = {"id": pid, "type": kind, "title": title, "datasource": DS,
         "gridPos": {"h": h, "w": w, "x": x, "y": y},
         "targets": [dict({"refId": chr(ord("A") + i), "datasource": DS, "expr": e, "legendFormat": l}, **o)
                     for i, (e, l, o) in enumerate((t + ({},))[:3] for t in targets)],
         "fieldConfig": {"defaults": {}, "overrides": []}, "options": {}}
    if unit:
        p["fieldConfig"]["defaults"]["unit"] = unit
    if description:
        p["description"] = description
    for k, v in extra.items():
        if k == "mappings":
            p["fieldConfig"]["defaults"]["mappings"] = v
        else:
            p[k] = v
    panels.append(p)
    x += w
    row_h = max(row_h, h)

row("Director")
panel("Directors up", "stat", 4, 4, [(f'up{{job="lvs-director", {SEL}}}', "{{instance}}")],
      description="Prometheus's scrape of :9441/metrics (alert LvsDirectorDown).",
      mappings=[{"type": "value", "options": {"0": {"text": "DOWN", "color": "red"},
                                              "1": {"text": "UP", "color": "green"}}}])
panel("Version", "stat", 4, 4, [(f"lvs_director_build_info{{{SEL}}}", "{{instance}} {{version}}")],
      options={"textMode": "name", "reduceOptions": {"calcs": ["lastNotNull"]}})
panel("HA role", "stat", 4, 4, [(f"lvs_director_ha_master{{{SEL}}}", "{{instance}}")],
      description="MASTER of at least one VRRP instance, as keepalived reported it.",
      mappings=[{"type": "value", "options": {"0": {"text": "BACKUP", "color": "blue"},
                                              "1": {"text": "MASTER", "color": "green"}}}])
panel("Services out of step", "stat", 4, 4,
      [(f"count by (instance) (lvs_director_service_in_step{{{SEL}}} == 0) or on(instance) "
        f"(0 * lvs_director_kernel_read_ok{{{SEL}}})", "{{instance}}")],
      description="Services whose last change the kernel refused (applyError); alert LvsDirectorServiceOutOfStep.")
panel("Kernel read ok", "stat", 4, 4, [(f"lvs_director_kernel_read_ok{{{SEL}}}", "{{instance}}")],
      mappings=[{"type": "value", "options": {"0": {"text": "FAILED", "color": "red"},
                                              "1": {"text": "OK", "color": "green"}}}])
panel("Kernel view age", "stat", 4, 4, [(f"lvs_director_kernel_view_age_seconds{{{SEL}}}", "{{instance}}")],
      unit="s", description="Age of the loop's last read of the IPVS table the lvs_director_ipvs_* series come from.")

row("Services and real servers")
panel("Real servers healthy / total", "timeseries", 12, 8, [
    (f'sum by (service) (lvs_director_backend_health{{{SVC}, state="healthy"}})', "{{service}} healthy"),
    (f'count by (service) (lvs_director_backend_health{{{SVC}, state="healthy"}})', "{{service}} total")],
    description="Per service, on the selected director(s); alert LvsDirectorServiceNoHealthyRealServer.")
panel("Real server health", "table", 12, 8, [
    (f"lvs_director_backend_health{{{SVC}}} == 1", "", {"format": "table", "instant": True})],
    description="The current state of every real server (unknown, healthy, draining, failed).",
    transformations=[{"id": "organize", "options": {"excludeByName": {"Time": True, "Value": True,
                                                                      "__name__": True, "job": True}}}])
panel("Weight: desired vs kernel", "timeseries", 12, 8, [
    (f"lvs_director_backend_desired_weight{{{SVC}}}", "{{service}} {{remote_address}}:{{remote_port}} desired"),
    (f"lvs_director_backend_kernel_weight{{{SVC}}}", "{{service}} {{remote_address}}:{{remote_port}} kernel")],
    description="Absent desired: the director wants it out; absent kernel: not in the table. "
                "Alert LvsDirectorRealServerWeightOutOfStep.")
panel("Active connections per real server", "timeseries", 12, 8, [
    (f"lvs_director_ipvs_backend_connections_active{{{SVC}}}", "{{service}} {{remote_address}}:{{remote_port}}"),
    (f"sum by (service) (lvs_director_ipvs_backend_connections_inactive{{{SVC}}})", "{{service}} inactive")])
panel("New connections / s per service", "timeseries", 12, 8, [
    (f"rate(lvs_director_ipvs_service_connections_total{{{SVC}}}[$__rate_interval])", "{{service}} {{instance}}")],
    unit="cps")
panel("Traffic in / s per service", "timeseries", 12, 8, [
    (f"rate(lvs_director_ipvs_service_incoming_bytes_total{{{SVC}}}[$__rate_interval]) * 8", "{{service}} in"),
    (f"rate(lvs_director_ipvs_service_outgoing_bytes_total{{{SVC}}}[$__rate_interval]) * 8", "{{service}} out")],
    unit="bps", description="Out is 0 under direct routing: replies bypass the director.")

row("Changes and failures")
panel("Apply failures", "timeseries", 8, 8, [
    (f"sum by (service, op) (increase(lvs_director_apply_failures_total{{{SVC}}}[$__rate_interval]))",
     "{{service}} {{op}}"),
    (f'sum by (kind) (increase(lvs_director_reconcile_operations_total{{{SEL}, result="failed"}}[$__rate_interval]))',
     "op {{kind}} failed")],
    description="Changes the kernel refused, per service and op kind.")
panel("Health transitions", "timeseries", 8, 8, [
    (f"sum by (from, to) (increase(lvs_director_health_transitions_total{{{SEL}}}[$__rate_interval]))",
     "{{from}} -> {{to}}")])
panel("Flapping real servers (changes in 15 min)", "timeseries", 8, 8, [
    (f'changes(lvs_director_backend_health{{{SVC}, state="healthy"}}[15m]) > 0',
     "{{service}} {{remote_address}}:{{remote_port}}")],
    description="Alert LvsDirectorRealServerFlapping at 4.")

row("HA")
panel("VRRP state per instance", "timeseries", 8, 8, [
    (f"lvs_director_ha_instance_state{{{SEL}}} == 1", "{{instance}} {{vrrp_instance}} {{state}}")],
    description="Alerts LvsDirectorHaSplitBrain (two masters) and LvsDirectorHaNoMaster.")
panel("Sync daemons", "timeseries", 8, 8, [
    (f"lvs_director_ha_sync_daemon_running{{{SEL}}}", "{{instance}} {{state}} running"),
    (f"lvs_director_ha_sync_daemons_in_step{{{SEL}}}", "{{instance}} in step")],
    description="Alert LvsDirectorSyncDaemonMissing.")
panel("VRRP transitions", "timeseries", 8, 8, [
    (f"sum by (instance, vrrp_instance, to) (increase(lvs_director_ha_transitions_total{{{SEL}}}[$__rate_interval]))",
     "{{instance}} {{vrrp_instance}} -> {{to}}")])

row("Probes and the reconcile loop")
panel("Probe latency", "timeseries", 8, 8, [
    (f"histogram_quantile(0.5, sum by (le) (rate(lvs_director_probe_duration_seconds_bucket{{{SEL}}}[$__rate_interval])))",
     "p50"),
    (f"histogram_quantile(0.99, sum by (le) (rate(lvs_director_probe_duration_seconds_bucket{{{SEL}}}[$__rate_interval])))",
     "p99")], unit="s")
panel("Probes / s by result", "timeseries", 8, 8, [
    (f"sum by (result) (rate(lvs_director_probe_duration_seconds_count{{{SEL}}}[$__rate_interval]))", "{{result}}")],
    unit="ops")
panel("Reconcile passes", "timeseries", 8, 8, [
    (f"sum by (result) (rate(lvs_director_reconcile_passes_total{{{SEL}}}[$__rate_interval]))", "{{result}} / s"),
    (f"histogram_quantile(0.99, sum by (le) (rate(lvs_director_reconcile_duration_seconds_bucket{{{SEL}}}[$__rate_interval])))",
     "p99 duration (s)")])

row("REST API and Kubernetes")
panel("API requests / s", "timeseries", 8, 8, [
    (f"sum by (method, route, status) (rate(lvs_director_http_requests_total{{{SEL}}}[$__rate_interval]))",
     "{{method}} {{route}} {{status}}")], unit="reqps")
panel("API latency p99", "timeseries", 8, 8, [
    (f"histogram_quantile(0.99, sum by (le, method, route) (rate(lvs_director_http_request_duration_seconds_bucket{{{SEL}}}[$__rate_interval])))",
     "{{method}} {{route}}")], unit="s")
panel("Kubernetes sync age", "timeseries", 8, 8, [
    (f"lvs_director_kubernetes_sync_age_seconds{{{SEL}}}", "{{instance}} age"),
    (f"lvs_director_kubernetes_connected{{{SEL}}}", "{{instance}} connected")],
    description="Only with Kubernetes on; alert LvsDirectorKubernetesSyncStale.")

dashboard = {
    "uid": "lvs-director",
    "title": "LVS Director",
    "description": "The director pair: services, real servers, kernel weights, connections, HA, probes, API.",
    "tags": ["lvs", "ipvs", "lvs-director"],
    "timezone": "browser",
    "editable": True,
    "graphTooltip": 1,
    "refresh": "30s",
    "schemaVersion": 39,
    "version": 1,
    "time": {"from": "now-6h", "to": "now"},
    "annotations": {"list": []},
    "links": [],
    "templating": {"list": [
        {"name": "datasource", "label": "Prometheus", "type": "datasource", "query": "prometheus",
         "current": {}, "hide": 0},
        {"name": "instance", "label": "Director", "type": "query", "datasource": DS,
         "query": {"query": "label_values(lvs_director_build_info, instance)", "refId": "instance"},
         "definition": "label_values(lvs_director_build_info, instance)",
         "includeAll": True, "multi": True, "current": {}, "refresh": 2, "sort": 1, "hide": 0},
        {"name": "service", "label": "Service", "type": "query", "datasource": DS,
         "query": {"query": 'label_values(lvs_director_service_in_step{instance=~"$instance"}, service)',
                   "refId": "service"},
         "definition": 'label_values(lvs_director_service_in_step{instance=~"$instance"}, service)',
         "includeAll": True, "multi": True, "current": {}, "refresh": 2, "sort": 1, "hide": 0},
    ]},
    "panels": panels,
}
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "lvs-director.json"), "w") as f:
    json.dump(dashboard, f, indent=2)
    f.write("\n")
