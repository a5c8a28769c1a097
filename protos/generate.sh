#!/usr/bin/env bash
# Generates TypeScript types for the .proto files into shared/src/grpc/generated (npm run protos).
set -euo pipefail
cd "$(dirname "$0")/.."
out=shared/src/grpc/generated
rm -rf "$out"
npx proto-loader-gen-types streamplatform/v1/accounts.proto streamplatform/v1/channels.proto streamplatform/v1/subscriptions.proto streamplatform/v1/events.proto \
  --longs=String --enums=String --defaults --oneofs --grpcLib=@grpc/grpc-js --includeComments \
  --outDir="$out" --includeDirs=protos
# ESM needs the extension on relative imports.
find "$out" -name '*.ts' -exec sed -i -E "s#(from ['\"]\.{1,2}/[^'\"]+)(['\"]);#\1.ts\2;#" {} +
