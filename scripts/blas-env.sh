#!/usr/bin/env bash
# Runs a command with OPENBLAS_CORETYPE set where OpenBLAS, loading, would
# fall back to its oldest kernels on a processor it does not know
# (internal/platform/blascore; the server binary sets it for itself). Asked
# at run time, after make's prerequisites have installed the libraries. A
# value already set is kept; none is set where OpenBLAS's own choice stands
# (an empty one would make OpenBLAS take its oldest kernels).
set -euo pipefail
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
	core=$("${GO:-go}" run ./tools/blascore 2>/dev/null || true)
	if [ -n "$core" ]; then
		export OPENBLAS_CORETYPE="$core"
	fi
fi
exec "$@"
