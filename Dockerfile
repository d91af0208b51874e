# Build:       docker build --build-arg VERSION=1.0.0 -t supabase-mcp .
# Run (stdio): docker run -i --rm -e SUPABASE_ACCESS_TOKEN supabase-mcp
# Run (http):  docker run --rm -p 8080:8080 supabase-mcp --transport http --listen 0.0.0.0:8080
#   Inside the container the server must listen on 0.0.0.0, which it only
#   does with client authentication: as above, each client sends its own
#   Supabase token ("Authorization: Bearer sbp_..."); or give the server a
#   token and a shared secret for clients:
#   docker run --rm -p 8080:8080 -e SUPABASE_ACCESS_TOKEN -e SUPABASE_MCP_HTTP_TOKEN supabase-mcp --transport http --listen 0.0.0.0:8080
#   Load balancers can probe GET /healthz.
# Releases (GoReleaser, .goreleaser.yaml) build the stage "release", which
# takes the binary GoReleaser built (with the authserver and redis tags, as here)
# instead of compiling it again.
FROM golang:1.26.8-bookworm AS base
RUN mkdir /out && echo 'nonroot:x:65532:65532:nonroot:/nonexistent:/sbin/nologin' > /out/passwd

FROM base AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# Same flags as .ci/run's release build and .goreleaser.yaml's image build:
# the image is the team deployment, so it carries the OAuth authorization
# server (--auth oauth) and the Redis store (--redis-url), which the
# release archives leave out.
RUN CGO_ENABLED=0 go build -tags authserver,redis -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/supabase-mcp ./cmd/supabase-mcp

# The runtime is empty but for the static binary, CA certificates and a
# non-root user: nothing else to patch or exploit.
FROM scratch AS runtime
LABEL io.modelcontextprotocol.server.name="io.github.supabase-mcp/supabase-mcp"
COPY --from=base /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=base /out/passwd /etc/passwd
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/supabase-mcp"]

# GoReleaser's build context holds its binaries under <os>/<arch>/.
FROM runtime AS release
ARG TARGETPLATFORM
COPY ${TARGETPLATFORM}/supabase-mcp /supabase-mcp

# The default (last) stage: the binary compiled from this checkout.
FROM runtime
COPY --from=build /out/supabase-mcp /supabase-mcp
