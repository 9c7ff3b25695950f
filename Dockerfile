# Sesame on Node.js 24 LTS. Build stage compiles TypeScript and the native SQLite driver;
# the runtime stage carries what `node dist/src/main.js` and the `sesame` CLI (bin/sesame.js) need,
# plus what docker-compose.yml's demo runs from the same image: scripts/demo.mjs --setup-only and
# the demo apps (dist/examples/demo-rp/server.js).
FROM node:24-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/views ./views
COPY --from=build /app/bin ./bin
COPY --from=build /app/scripts/demo.mjs ./scripts/demo.mjs
# docker-compose.yml mounts a volume here for the demo's clients file; a new volume takes this
# directory's owner, so the node user can write it.
RUN mkdir /demo && chown node:node /demo
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:3000/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/src/main.js"]
