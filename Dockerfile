# The operator image: ebb built in release mode on the official Swift image, run as a non-root
# user on a slim base. (CI does not build it: there is no Docker engine there.)
#
#   docker build -t ghcr.io/ebb-operator/ebb:0.1.0 .

FROM swift:6.1-jammy AS build
WORKDIR /src
# The whole package (the manifest names the test targets too); .dockerignore keeps builds out.
COPY . .
RUN swift build -c release --product ebb --static-swift-stdlib \
    && mkdir /out && cp "$(swift build -c release --show-bin-path)/ebb" /out/ebb

FROM ubuntu:jammy
# CA certificates for TLS to the API server, Kafka and Prometheus; tzdata for schedules' time zones.
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --uid 65532 --no-create-home --shell /usr/sbin/nologin ebb
COPY --from=build /out/ebb /usr/local/bin/ebb
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/ebb"]
CMD ["run", "--leader-elect", "--log-format=json", "--metrics-bind-address=:8080"]
