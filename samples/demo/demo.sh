#!/usr/bin/env bash
# The five-minute demo: builds the gateway, starts a small billing service on 127.0.0.1:8081
# that only accepts the gateway's token, and issues an API key for the billing-agent identity of
# the reference configuration. Stop the service with: kill "$(cat samples/demo/.billing.pid)"
set -euo pipefail

DEMO="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$DEMO/../.." && pwd)"
CONFIG="$ROOT/samples/reference.appsettings.json"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "==> building" >&2
dotnet build "$DEMO/DemoClient" -c Release -nodeReuse:false -v quiet >/dev/null
dotnet build "$DEMO/BillingService" -c Release -nodeReuse:false -v quiet >/dev/null

# The billing service's credential: only the gateway holds it (referenced as {file:demo/billing.token}).
if [ ! -s "$DEMO/billing.token" ]; then
  (umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$DEMO/billing.token")
fi

if [ -f "$DEMO/.billing.pid" ] && kill -0 "$(cat "$DEMO/.billing.pid")" 2>/dev/null; then
  echo "==> billing service already running (pid $(cat "$DEMO/.billing.pid"))" >&2
else
  echo "==> starting the billing service on http://127.0.0.1:8081" >&2
  dotnet "$DEMO/BillingService/bin/Release/net10.0/demo-billing-service.dll" "$DEMO/billing.token" http://127.0.0.1:8081 \
    >"$DEMO/.billing.log" 2>&1 </dev/null &
  echo $! > "$DEMO/.billing.pid"
fi

echo "==> issuing API keys for billing-agent (an agent) and billing-admin (an operator who approves its writes)" >&2
KEY="$(dotnet "$DEMO/DemoClient/bin/Release/net10.0/mcp-gateway.dll" keys create --config "$CONFIG" --identity billing-agent --description demo 2>/dev/null)"
(umask 077 && echo "$KEY" > "$DEMO/.billing-agent.key")
(umask 077 && dotnet "$DEMO/DemoClient/bin/Release/net10.0/mcp-gateway.dll" keys create --config "$CONFIG" --identity billing-admin --description demo 2>/dev/null > "$DEMO/.billing-admin.key")

cat >&2 <<EOT

Ready. Your key (also in samples/demo/.billing-agent.key):
  $KEY

Governed calls over stdio (the client starts the gateway itself):
  dotnet samples/demo/DemoClient/bin/Release/net10.0/demo-client.dll --stdio --config samples/reference.appsettings.json --key \$(cat samples/demo/.billing-agent.key) \\
    call http_call '{"service":"billing","method":"GET","path":"/api/invoices"}'

A write waits for a billing admin's approval. Serve the same data folder over HTTP (below),
then decide from a third terminal:
  MCPGW_OPERATOR_KEY=\$(cat samples/demo/.billing-admin.key) dotnet run --project src/McpGateway -- approvals list --url http://127.0.0.1:8080

Or over HTTP: start the gateway in another terminal ...
  dotnet run --project src/McpGateway -- serve --http http://127.0.0.1:8080 --config samples/reference.appsettings.json
... then:
  dotnet samples/demo/DemoClient/bin/Release/net10.0/demo-client.dll --http http://127.0.0.1:8080/mcp --key \$(cat samples/demo/.billing-agent.key) list
EOT
