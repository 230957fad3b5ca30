#!/usr/bin/env bash
# Builds a demo in ./demo: a configuration, a ledger with Spanish- and English-speaking
# clients and invoices at every stage of lateness (dates relative to today), imported through
# the real CSV import; shows the receivables report; runs one pass of the daemon into a
# Maildir and prints the sent log. Safe to re-run: ./demo is rebuilt.
set -euo pipefail
cd "$(dirname "$0")/.."
cobrador=${COBRADOR:-.build/debug/cobrador}
demo=demo
rm -rf "$demo"
mkdir -p "$demo"

day() { date -u -d "$1 days" +%F; }

"$cobrador" init --config "$demo/cobrador.toml" --sender-name "Lucía Martín Traducciones" \
    --sender-email cobros@luciamartin.example --time-zone Europe/Madrid --currency EUR \
    --iban "ES91 2100 0418 4502 0005 1332" >/dev/null
export COBRADOR_CONFIG="$demo/cobrador.toml"

cat > "$demo/clients.csv" <<CSV
code,name,email,country,language,time_zone,debtor_kind,tax_id,address
ACME,Acme Ibérica S.L.,pagos@acme-iberica.example,ES,es,Europe/Madrid,company,B12345678,"Calle de Alcalá 100, 28009 Madrid"
OLIVO,Olivo Diseño (Marta Ruiz),marta@olivo.example,ES,es,Europe/Madrid,self-employed,12345678Z,"Avenida de la Constitución 5, 41004 Sevilla"
CASA,Javier Gómez,javier.gomez@correo.example,ES,es,Atlantic/Canary,consumer,,"Calle Triana 12, 35002 Las Palmas"
BRIT,Thames Publishing Ltd,accounts@thames.example;editor@thames.example,GB,en,Europe/London,company,GB123456789,"1 Fleet Street, London EC4Y 1AA"
NORD,Nordlicht Verlag GmbH,buchhaltung@nordlicht.example,DE,en,Europe/Berlin,company,DE123456789,"Unter den Linden 1, 10117 Berlin"
CLIFF,Cliffside Studios Ltd,ap@cliffside.example,IE,en,Europe/Dublin,company,IE1234567T,"2 Harbour Road, Dublin"
CSV

cat > "$demo/invoices.csv" <<CSV
number,client,concept,issue_date,due_date,amount,currency
2026-101,ACME,Traducción del informe anual (12.000 palabras),$(day -40),$(day 10),1815.00,EUR
2026-102,ACME,Revisión de contratos de distribución,$(day -27),$(day 3),968.00,EUR
2026-103,OLIVO,Traducción del catálogo de primavera,$(day -30),$(day 0),423.50,EUR
2026-104,BRIT,Translation of three book chapters,$(day -37),$(day -7),2400.00,GBP
2026-105,NORD,Localisation of the website (EN/ES),$(day -45),$(day -15),3150.00,EUR
2026-106,CASA,Traducción jurada de escrituras,$(day -60),$(day -30),290.40,EUR
2026-107,CLIFF,Subtitles for a documentary (90 min),$(day -75),$(day -45),1200.00,EUR
2026-108,ACME,Interpretación en junta de accionistas,$(day -130),$(day -100),1452.00,EUR
2026-109,BRIT,Proofreading of the style guide,$(day -50),$(day -20),640.00,GBP
2026-110,OLIVO,Traducción de la web corporativa,$(day -80),$(day -50),726.00,EUR
CSV

cat > "$demo/payments.csv" <<CSV
invoice,amount,date,method,reference
2026-109,640.00,$(day -18),transfer,BACS 55120
2026-105,1000.00,$(day -5),transfer,SEPA 7781
CSV

"$cobrador" import clients "$demo/clients.csv"
"$cobrador" import invoices "$demo/invoices.csv"
"$cobrador" import payments "$demo/payments.csv"
"$cobrador" negotiation open promise CLIFF --until "$(day 7)" --notes "Promised on the phone to pay next week" >/dev/null
"$cobrador" client pause CASA --reason "Client in hospital; call in two weeks" --until "$(day 14)" >/dev/null

echo
"$cobrador" status

# The demo's send window is always open, so the pass below sends now whatever the hour.
python3 - "$demo/cobrador.toml" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path).read()
days = "".join(f'{day} = "00:00-24:00"\n' for day in ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])
text = re.sub(r"\[policy\.window\]\n(?:.*\n)*?\n", "[policy.window]\n" + days + "\n", text, count=1)
open(path, "w").write(text)
PY
echo
echo "One pass of the daemon (into the Maildir $demo/maildir; nothing leaves this machine):"
"$cobrador" run --once
echo
echo "The sent log ($demo/sent.log):"
cat "$demo/sent.log"
echo
echo "Demo ready in ./$demo. Try: COBRADOR_CONFIG=$demo/cobrador.toml $cobrador plan"
