# JSScada as a container: the single compiled binary on a slim Debian base.
#
#   docker build -t jsscada .
#   docker run -d --name jsscada -p 8080:8080 -v jsscada-data:/var/lib/jsscada \
#     -e JSSCADA_ADMIN_PASSWORD='choose-a-long-one' jsscada
#
# The build stage needs Deno's release host (deno compile downloads denort).
# Settings come from JSSCADA_* variables (docs/configuration.md, docs/historian.md).

FROM denoland/deno:debian-2.9.6 AS build
WORKDIR /src
# Dependencies first, so source changes reuse the cached layer.
COPY deno.json deno.lock ./
COPY . .
RUN deno install --frozen --entrypoint main.ts \
 && deno task compile \
 && ./dist/jsscada help >/dev/null

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/jsscada --shell /usr/sbin/nologin jsscada \
 && install -d -o jsscada -g jsscada -m 0750 /var/lib/jsscada
COPY --from=build /src/dist/jsscada /usr/local/bin/jsscada
USER jsscada
WORKDIR /var/lib/jsscada
ENV JSSCADA_DATA_DIR=/var/lib/jsscada \
    JSSCADA_HOST=0.0.0.0 \
    JSSCADA_PORT=8080
VOLUME ["/var/lib/jsscada"]
EXPOSE 8080
# MC protocol PLCs are reached outbound; nothing else needs a port.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/jsscada", "health"]
# SIGTERM (docker stop) shuts down gracefully within 5 s: pollers stop, the
# writer flushes to the historian or the disk journal, sockets close.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/jsscada"]
CMD ["serve"]
