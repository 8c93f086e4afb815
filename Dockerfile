# factory-dr service image. Build: docker build -t factory-dr .
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -q -B dependency:go-offline
COPY src src
COPY config config
COPY routes routes
COPY camel-cli camel-cli
RUN mvn -q -B -DskipTests package

FROM eclipse-temurin:17-jre
RUN apt-get update && apt-get install -y --no-install-recommends openssl sqlite3 libdeflate0 && rm -rf /var/lib/apt/lists/*
# the installation (FACTORY_HOME): the same layout as a build tree, so bin/factory-dr finds the jar
# and the JVM reads config/ and routes/ from here, whatever the working directory
WORKDIR /opt/factory-dr
COPY --from=build /src/target/factory-dr.jar target/factory-dr.jar
# Camel's CLI for bin/camel (docker compose exec factory-dr bin/camel get route)
COPY --from=build /src/target/camel-cli/lib target/camel-cli/lib
COPY config config
COPY routes routes
COPY bin bin
COPY scripts scripts
ENV FACTORY_HOME=/opt/factory-dr \
    FACTORY_ROOT=/ \
    LC_ALL=C.UTF-8 \
    FACTORY_LOG_FILE=/var/log/factory-dr/factory-dr.log
EXPOSE 3000
# A published port reaches the container's interface, not its loopback, so the API listens on every
# interface here; serve then refuses to start without FACTORY_HTTP_TOKEN or FACTORY_HTTP_TOKEN_FILE.
ENV FACTORY_HTTP_HOST=0.0.0.0
ENTRYPOINT ["/opt/factory-dr/bin/factory-dr"]
CMD ["serve"]
