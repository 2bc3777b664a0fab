#!/usr/bin/env bash
# measure-limits.sh BIN [PORT]: runs the binary BIN (SQLite, one worker) and sends it what
# docs/security.md measures: a JPEG scan bomb through a session, PDFs with huge pages through
# document.create, and 30 parallel console sign-ins; prints times, answers and memory.
# SKIP_HUGE=1 skips the 100000 pt page (a release before the limit would exhaust memory).
set -u
BIN=$1; PORT=${2:-4101}; DIR=$(mktemp -d); ATT=$(mktemp -d)
root="$(cd "$(dirname "$0")/.." && pwd)"
(cd "$root" && VERIDOC_ATTACK_DIR=$ATT go test -count=1 -run TestWriteAttackFiles ./internal/testsupport/testenv >/dev/null) || exit 1
export VERIDOC_DATA_DIR=$DIR DATABASE_URL=sqlite://$DIR/v.db VERIDOC_ADDR=127.0.0.1:$PORT VERIDOC_PUBLIC_URL=http://127.0.0.1:$PORT \
  VERIDOC_MODELS_DIR=${VERIDOC_MODELS_DIR:-$root/models-data} VERIDOC_WORKERS=1 VERIDOC_LOG_LEVEL=error OMP_THREAD_LIMIT=1
CREDS=$($BIN account create --name m --sandbox 2>/dev/null)
PUB=$(echo "$CREDS" | python3 -c 'import json,sys;d=json.load(sys.stdin);print(d["public_key"])')
SEC=$(echo "$CREDS" | python3 -c 'import json,sys;d=json.load(sys.stdin);print(d["secret"])')
ACC=$(echo "$CREDS" | python3 -c 'import json,sys;d=json.load(sys.stdin);print(d["account_id"])')
$BIN user create --account $ACC --email o@example.com --role owner >/dev/null 2>&1
$BIN serve 2>/dev/null & PID=$!
for i in $(seq 50); do curl -s -o /dev/null 127.0.0.1:$PORT/healthz && break; sleep 0.2; done
B=http://127.0.0.1:$PORT/api/v1
rss() { awk '/VmRSS/{print $2/1024 " MB"}' /proc/$PID/status; }
echo "idle RSS: $(rss)"
# scan bomb
TOK=$(curl -s -u $PUB:$SEC -X POST $B/session.create -d '{}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])')
python3 -c "import base64,json;print(json.dumps({'kind':'document_front','image':base64.b64encode(open('$ATT/bomb.jpg','rb').read()).decode()}))" > $ATT/bomb.json
echo "scan bomb upload: $(curl -s -o /dev/null -w '%{http_code} in %{time_total}s' -H "Authorization: Bearer $TOK" -X POST $B/session.upload -d @$ATT/bomb.json)"
T0=$(date +%s.%N)
SUB=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOK" -X POST $B/session.submit -d '{}')
if [ "$SUB" = 200 ]; then
  for i in $(seq 600); do
    ST=$(curl -s -u $PUB:$SEC -X POST $B/session.get -d '{"id":1}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["state"])')
    [ "$ST" != PROCESSING ] && break; sleep 0.5
  done
  echo "scan bomb session: submitted, $ST after $(python3 -c "import time;print(round(time.time()-$T0,1))") s"
else echo "scan bomb session: submit $SUB"; fi
# PDF page bombs
V=$(curl -s -u $PUB:$SEC -X POST $B/verification.create -d '{"flow":"usps1583"}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["id"])')
for f in page6000 page100000; do
  python3 -c "import base64,json;print(json.dumps({'flow':'usps1583','verification_id':$V,'context_type':'PROOF_OF_ADDRESS','document_type_id':20,'country':'USA','front_side_data':base64.b64encode(open('$ATT/$f.pdf','rb').read()).decode()}))" > $ATT/$f.json
  [ $f = page100000 ] && [ "${SKIP_HUGE:-}" = 1 ] && { echo "$f: skipped (would exhaust memory)"; continue; }
  R=$(timeout 60 curl -s -o $ATT/out.json -w '%{http_code} in %{time_total}s' -u $PUB:$SEC -X POST $B/document.create -d @$ATT/$f.json)
  echo "$f document.create: $R $(head -c 120 $ATT/out.json); RSS after: $(rss)"
  curl -s -u $PUB:$SEC -X POST $B/document.delete -d "{\"flow\":\"usps1583\",\"id\":$(python3 -c "import json;print(json.load(open('$ATT/out.json')).get('id',0))")}" >/dev/null
done
# sign-ins
MAXRSS=0
for i in $(seq 30); do J=$ATT/jar$i; curl -s -c $J 127.0.0.1:$PORT/console/login > $ATT/login$i.html; done
( for i in $(seq 30); do TK=$(grep -o 'name="csrf_token" value="[^"]*"' $ATT/login$i.html | sed 's/.*value="//;s/"//');   curl -s -o /dev/null -w '%{http_code}\n' -b $ATT/jar$i -X POST 127.0.0.1:$PORT/console/login --data-urlencode "csrf_token=$TK" -d 'email=nobody@example.com&password=x' & done; wait ) > $ATT/signin-codes &
for i in $(seq 40); do R=$(awk '/VmRSS/{print int($2/1024)}' /proc/$PID/status); [ $R -gt $MAXRSS ] && MAXRSS=$R; sleep 0.1; done
sleep 3; echo "30 parallel sign-ins: peak RSS $MAXRSS MB; answers: $(sort $ATT/signin-codes | uniq -c | tr '\n' ' ')"
kill $PID; wait $PID 2>/dev/null; rm -rf $DIR $ATT
