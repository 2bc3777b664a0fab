#!/usr/bin/env bash
# Installs the Debian packages Veridoc needs, only those missing.
#   install-deps.sh run    what the server needs to run
#   install-deps.sh test   plus what the test suite needs (PostgreSQL server)
set -euo pipefail
what="${1:-run}"

# libvips (govips), dlib + BLAS/LAPACK + libjpeg (face detector and descriptor; the photo encoder),
# OpenCV imgproc (resampling in the photo pipeline) and dnn (segmentation, landmarks),
# Tesseract (gosseract; English for proof-of-address text),
# zxing-cpp (PDF417 on the back of driver licences), a C++ compiler and npm for `make models`.
run_pkgs=(ca-certificates pkg-config g++ libvips-dev libdlib-dev libopenblas-dev liblapack-dev
  libatlas-base-dev libjpeg62-turbo-dev libopencv-imgproc-dev libopencv-dnn-dev libtesseract-dev tesseract-ocr-eng
  libzxing-dev npm)
# PostgreSQL for the store tests; Redis for the Redis rate limiter; Debian packages that ship the test photos; the
# OCR-B font for synthetic MRZ documents; poppler to open exported PDFs; Chromium
# for the capture page's end-to-end test (driven by playwright-core from npm); zint writes the
# PDF417 barcodes of the synthetic driver licences; curl runs the command the /docs playground shows;
# pytest runs the Python SDK's tests.
test_pkgs=(postgresql postgresql-client redis-server redis-tools python3 python3-skimage facedetect python-matplotlib-data
  fonts-ocr-b poppler-utils chromium zint libdlib-data curl python3-pytest)

pkgs=("${run_pkgs[@]}")
[ "$what" = test ] && pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  # npm may come with a Node.js that is not Debian's: a working npm is enough.
  if [ "$p" = npm ] && command -v npm >/dev/null; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "install-deps: please install: ${missing[*]}" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
