{{- define "gantry.name" -}}
{{- default .Release.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "gantry.labels" -}}
app.kubernetes.io/name: gantry
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{- define "gantry.selectorLabels" -}}
app.kubernetes.io/name: gantry
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/*
Feature gates: the user's featureGates, then TieredGatewayAPI from tiered.enabled and
GatewayListenerSet from listenerSets.enabled, so the controller never runs what the ClusterRole
does not grant (the last setting of a gate wins).
*/}}
{{- define "gantry.featureGates" -}}
{{- $gates := list -}}
{{- with .Values.featureGates }}{{ $gates = append $gates . }}{{ end -}}
{{- $gates = append $gates (printf "TieredGatewayAPI=%t" (.Values.tiered.enabled | default false)) -}}
{{- $gates = append $gates (printf "GatewayListenerSet=%t" (.Values.listenerSets.enabled | default false)) -}}
{{- join "," $gates -}}
{{- end -}}
