# Deja standalone server: docker build -t deja . && docker compose up
# Build stage: the server module and the modules it depends on (db, filter), tests skipped here
# (they need PostgreSQL; CI runs them).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# Poms first, so dependency downloads are cached while only sources change.
COPY pom.xml ./
COPY db/pom.xml db/
COPY filter/pom.xml filter/
COPY server/pom.xml server/
COPY bench/pom.xml bench/
# Best effort: sibling modules are not resolvable yet, so this may stop early; it still caches most.
RUN mvn -B -q -pl server -am dependency:go-offline -DskipTests || true
COPY db/src db/src
COPY filter/src filter/src
COPY server/src server/src
RUN mvn -B -q -pl server -am package -DskipTests

FROM eclipse-temurin:17-jre
RUN useradd --system --create-home --home-dir /home/deja deja
USER deja
WORKDIR /home/deja
COPY --from=build /src/server/target/deja-server.jar /opt/deja/deja-server.jar
# The embedding model and tokenizer ship inside the jar; DJL must never reach for the network.
ENV DJL_OFFLINE=true \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -Dai.djl.offline=true"
EXPOSE 8080
# Exec form: java runs as PID 1 and receives SIGTERM directly, for a graceful stop.
ENTRYPOINT ["java", "-jar", "/opt/deja/deja-server.jar"]
