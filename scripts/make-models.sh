#!/usr/bin/env bash
# Puts the model files Veridoc loads into models-data/ (ignored by git; the
# project must not commit them). Idempotent.
# Every file comes from a package registry (Debian, npm) or a pinned upstream
# URL, tried after a local mirror, and is checked by its SHA-256 in
# internal/vision/engines/models.sha256 (the server embeds the same file; `veridoc models`
# prints the table):
#  - mmod_human_face_detector.dat: davisking/dlib-models (CC0)
#  - dlib_face_recognition_resnet_model_v1.dat: built from npm
#    @vladmandic/face-api@1.7.15 (MIT; dlib's weights are CC0) by tools/facemodel
#  - mrz.traineddata: DoubangoTelecom/tesseractMRZ tessdata_best (BSD-3)
#  - face_landmark_68.onnx: built from npm @vladmandic/face-api@1.7.15
#    (MIT; model/face_landmark_68_model.bin) by tools/landmarkmodel
#  - selfie_segmentation.onnx: built from npm @mediapipe/selfie_segmentation
#    (Apache-2.0; selfie_segmentation.tflite) by tools/segmodel
#  - minifasnet_v2_2.7_80x80.onnx, minifasnet_v1se_4.0_80x80.onnx: built from
#    minivision-ai/Silent-Face-Anti-Spoofing's PyTorch weights (Apache-2.0) by
#    tools/fasmodel
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="${VERIDOC_MODELS_DIR:-$root/models-data}"
# A local mirror is tried before the network: VERIDOC_MODELS_MIRROR, else
# ../shared/models when it exists (VERIDOC_SHARED_DIR moves ../shared).
mirror="${VERIDOC_MODELS_MIRROR:-${VERIDOC_SHARED_DIR:-$root/../shared}/models}"
mkdir -p "$dest"

sha() { sha256sum "$1" | cut -d' ' -f1; }
# want FILE: the file's SHA-256 from internal/vision/engines/models.sha256.
want() {
  local sum
  sum=$(awk -v f="$1" '$2 == f { print $1 }' "$root/internal/vision/engines/models.sha256")
  if [ -z "$sum" ]; then
    echo "make-models: $1 is not in internal/vision/engines/models.sha256" >&2
    exit 1
  fi
  echo "$sum"
}

# fetch FILE SHA256 URL: from the mirror, else from the pinned upstream URL
# (a .bz2 is decompressed), checked against SHA256. Kept when already right.
fetch() {
  local f=$1 want=$2 url=$3 out="$dest/$1"
  [ -s "$out" ] && [ "$(sha "$out")" = "$want" ] && return 0
  if [ -s "$mirror/$f" ]; then
    cp "$mirror/$f" "$out.tmp"
  elif command -v curl >/dev/null && curl -fsSL --retry 2 --max-time 300 -o "$out.dl" "$url" 2>/dev/null; then
    case "$url" in
      *.bz2) bunzip2 -c "$out.dl" >"$out.tmp" ;;
      *) mv "$out.dl" "$out.tmp" ;;
    esac
    rm -f "$out.dl"
  else
    rm -f "$out.dl"
    echo "make-models: cannot get $f: it is not in the mirror ($mirror) and $url cannot be downloaded." >&2
    echo "make-models: put the file with sha256 $want in a folder and set VERIDOC_MODELS_MIRROR to it." >&2
    exit 1
  fi
  local got
  got=$(sha "$out.tmp")
  if [ "$got" != "$want" ]; then
    rm -f "$out.tmp"
    echo "make-models: $f has sha256 $got, want $want (from $url or the mirror)" >&2
    exit 1
  fi
  mv "$out.tmp" "$out"
}

mmod_want=$(want mmod_human_face_detector.dat)
mrz_want=$(want mrz.traineddata)
fetch mmod_human_face_detector.dat "$mmod_want" \
  https://github.com/davisking/dlib-models/raw/master/mmod_human_face_detector.dat.bz2
fetch mrz.traineddata "$mrz_want" \
  https://github.com/DoubangoTelecom/tesseractMRZ/raw/master/tessdata_best/mrz.traineddata

# The product loads no shape predictor: dlib's 68-point model (Debian
# libdlib-data) is iBUG 300-W licensed, no commercial use. Only the tests load
# it, from /usr/share/dlib, as an independent measure (internal/testsupport/dlibref).
rm -f "$dest/shape_predictor_5_face_landmarks.dat"

resnet="$dest/dlib_face_recognition_resnet_model_v1.dat"
resnet_want=$(want dlib_face_recognition_resnet_model_v1.dat)
if [ ! -s "$resnet" ] || [ "$(sha "$resnet")" != "$resnet_want" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  echo "make-models: building the face descriptor ResNet (once)" >&2
  (cd "$tmp" && npm pack --silent @vladmandic/face-api@1.7.15 >/dev/null && tar xzf vladmandic-face-api-*.tgz)
  (cd "$root" && go run ./tools/facemodel "$tmp/package/model/face_recognition_model-weights_manifest.json" "$tmp/weights.f32")
  g++ -O2 -std=c++17 -o "$tmp/convert" "$root/tools/facemodel/cc/convert.cc" -ldlib -lopenblas -llapack -lpthread
  "$tmp/convert" "$tmp/weights.f32" "$tmp/resnet.dat"
  got=$(sha "$tmp/resnet.dat")
  if [ "$got" != "$resnet_want" ]; then
    echo "make-models: converted model has sha256 $got, want $resnet_want" >&2
    exit 1
  fi
  mv "$tmp/resnet.dat" "$resnet"
fi
lm="$dest/face_landmark_68.onnx"
lm_want=$(want face_landmark_68.onnx)
if [ ! -s "$lm" ] || [ "$(sha "$lm")" != "$lm_want" ]; then
  tmp3=$(mktemp -d)
  echo "make-models: converting the 68-point landmark net (once)" >&2
  (cd "$tmp3" && npm pack --silent @vladmandic/face-api@1.7.15 >/dev/null && tar xzf vladmandic-face-api-*.tgz)
  (cd "$root" && go run ./tools/landmarkmodel "$tmp3/package/model/face_landmark_68_model-weights_manifest.json" "$tmp3/lm.onnx")
  got=$(sha "$tmp3/lm.onnx")
  if [ "$got" != "$lm_want" ]; then
    echo "make-models: converted landmark net has sha256 $got, want $lm_want" >&2
    rm -rf "$tmp3"
    exit 1
  fi
  mv "$tmp3/lm.onnx" "$lm"
  rm -rf "$tmp3"
fi

seg="$dest/selfie_segmentation.onnx"
seg_want=$(want selfie_segmentation.onnx)
tflite_want=8d13b7fae74af625c641226813616a2117bd6bca19eb3b75574621fc08557f27
if [ ! -s "$seg" ] || [ "$(sha256sum "$seg" | cut -d' ' -f1)" != "$seg_want" ]; then
  tmp2=$(mktemp -d)
  echo "make-models: converting the person segmentation net (once)" >&2
  (cd "$tmp2" && npm pack --silent @mediapipe/selfie_segmentation@0.1.1675465747 >/dev/null && tar xzf mediapipe-selfie_segmentation-*.tgz)
  got=$(sha256sum "$tmp2/package/selfie_segmentation.tflite" | cut -d' ' -f1)
  if [ "$got" != "$tflite_want" ]; then
    echo "make-models: selfie_segmentation.tflite has sha256 $got, want $tflite_want" >&2
    rm -rf "$tmp2"
    exit 1
  fi
  (cd "$root" && go run ./tools/segmodel "$tmp2/package/selfie_segmentation.tflite" "$tmp2/seg.onnx")
  got=$(sha256sum "$tmp2/seg.onnx" | cut -d' ' -f1)
  if [ "$got" != "$seg_want" ]; then
    echo "make-models: converted segmentation net has sha256 $got, want $seg_want" >&2
    rm -rf "$tmp2"
    exit 1
  fi
  mv "$tmp2/seg.onnx" "$seg"
  rm -rf "$tmp2"
fi
# The anti-spoofing nets: the pinned PyTorch weights (mirror or upstream),
# checked, converted to ONNX and checked again. The .pth is not kept.
fasrepo=https://github.com/minivision-ai/Silent-Face-Anti-Spoofing/raw/b6d5f04ad78778917853b25c778acef6d5626d15/resources/anti_spoof_models
fasnet() {
  local onnx=$1 pth=$2 pth_want=$3 upstream=$4 onnx_want
  onnx_want=$(want "$onnx")
  [ -s "$dest/$onnx" ] && [ "$(sha "$dest/$onnx")" = "$onnx_want" ] && return 0
  echo "make-models: converting the anti-spoofing net $onnx (once)" >&2
  fetch "$pth" "$pth_want" "$fasrepo/$upstream"
  (cd "$root" && go run ./tools/fasmodel "$dest/$pth" "$dest/$onnx.tmp")
  rm -f "$dest/$pth"
  got=$(sha "$dest/$onnx.tmp")
  if [ "$got" != "$onnx_want" ]; then
    rm -f "$dest/$onnx.tmp"
    echo "make-models: converted $onnx has sha256 $got, want $onnx_want" >&2
    exit 1
  fi
  mv "$dest/$onnx.tmp" "$dest/$onnx"
}
fasnet minifasnet_v2_2.7_80x80.onnx minifasnet_v2_2.7_80x80.pth \
  a5eb02e1843f19b5386b953cc4c9f011c3f985d0ee2bb9819eea9a142099bec0 2.7_80x80_MiniFASNetV2.pth
fasnet minifasnet_v1se_4.0_80x80.onnx minifasnet_v1se_4.0_80x80.pth \
  84ee1d37d96894d5e82de5a57df044ef80a58be2b218b5ed7cdfd875ec2f5990 4_0_0_80x80_MiniFASNetV1SE.pth
echo "make-models: models ready in $dest" >&2
