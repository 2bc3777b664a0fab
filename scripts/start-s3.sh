#!/usr/bin/env bash
# Starts a real S3 server (versitygw, posix backend) on 127.0.0.1 with a fresh
# folder, for the tests. Builds it from the Go module proxy the first time.
# Prints "ENDPOINT PID DIR" on stdout; stop it with: kill PID; rm -rf DIR.
set -euo pipefail

version=v1.8.0
# Installed into a folder named by version: its --version does not say which it is.
gobin="$(go env GOPATH)/versitygw-$version"
bin="$gobin/versitygw"
if [ ! -x "$bin" ]; then
  echo "start-s3: building versitygw $version (first time only, ~2 min)" >&2
  GOBIN="$gobin" GOFLAGS= go install "github.com/versity/versitygw/cmd/versitygw@$version" >&2
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
  || echo $((20000 + RANDOM % 20000)))
dir=$(mktemp -d /tmp/veridoc-s3.XXXXXX)
mkdir -p "$dir/data"
ROOT_ACCESS_KEY="${S3_ACCESS_KEY:-veridoc-test}" ROOT_SECRET_KEY="${S3_SECRET_KEY:-veridoc-test-secret}" \
  nohup "$bin" --port "127.0.0.1:$port" --quiet posix "$dir/data" >"$dir/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  if (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "127.0.0.1:$port $pid $dir"
    exit 0
  fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
echo "start-s3: versitygw did not start; log:" >&2
cat "$dir/server.log" >&2
exit 1
