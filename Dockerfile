# Build: docker build -t supabase-mcp .
# Run (stdio): docker run -i --rm -e SUPABASE_ACCESS_TOKEN supabase-mcp
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/supabase-mcp ./cmd/supabase-mcp

FROM gcr.io/distroless/static-debian12:nonroot
LABEL io.modelcontextprotocol.server.name="io.github.supabase-mcp/supabase-mcp"
COPY --from=build /out/supabase-mcp /supabase-mcp
USER nonroot:nonroot
ENTRYPOINT ["/supabase-mcp"]
