# JSScada as a container: the single compiled binary on a slim Debian base.
#
#   docker build -t jsscada:0.1.0 .
#   docker run -d --name jsscada -p 8080:8080 -v jsscada-data:/var/lib/jsscada \
#     -e JSSCADA_ADMIN_PASSWORD='choose-a-long-one' jsscada:0.1.0
#
# or the whole stack (gateway, PostgreSQL historian, Mosquitto): compose.yaml.
# The build stage needs the npm registry and Deno's release host (deno compile
# downloads the denort runtime). Settings come from JSSCADA_* variables
# (jsscada serve --help, docs/configuration.md, docs/historian.md).

FROM denoland/deno:debian-2.9.6 AS build
WORKDIR /src
# Dependencies first, in their own layer: a source change reuses it.
COPY deno.json deno.lock ./
RUN deno install --frozen
COPY . .
RUN deno task compile \
 && ./dist/jsscada help >/dev/null

FROM debian:bookworm-slim
LABEL org.opencontainers.image.title="JSScada" \
      org.opencontainers.image.description="Data collection for Mitsubishi MELSEC PLCs: MC protocol polling, live UI and API, alarms, historian" \
      org.opencontainers.image.version="0.1.0"
# ca-certificates: TLS to PostgreSQL, Oracle and MQTT brokers; tzdata: local
# time in logs. The user has a fixed uid so that volume permissions and
# Kubernetes' runAsNonRoot work without a name lookup.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 jsscada \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/jsscada \
      --shell /usr/sbin/nologin jsscada \
 && install -d -o jsscada -g jsscada -m 0700 /var/lib/jsscada
COPY --from=build /src/dist/jsscada /usr/local/bin/jsscada
USER 10001:10001
WORKDIR /var/lib/jsscada
ENV JSSCADA_DATA_DIR=/var/lib/jsscada \
    JSSCADA_HOST=0.0.0.0 \
    JSSCADA_PORT=8080
VOLUME ["/var/lib/jsscada"]
EXPOSE 8080
# MC protocol PLCs, the historian and the MQTT broker are reached outbound.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/jsscada", "health"]
# SIGTERM (docker stop) shuts down gracefully within 5 s: pollers stop, the
# writer flushes to the historian or the disk journal, sockets close.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/jsscada"]
CMD ["serve"]
