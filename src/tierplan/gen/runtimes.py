"""How the runtimes without a platform of their own are built and run: .NET, Java, Ruby, PHP, Rust
and Elixir (Python, Node and Go are in files.py).

Each runtime family gets the facts its Dockerfile template (templates/gen/Dockerfile.<family>.j2)
renders, the start command of each process, the CI steps and the build output .dockerignore keeps
out of the image. Everything is decided here, from the deploy model; the templates only format it.
Conventions (stated in each Dockerfile's header):

- dotnet: the ASP.NET Core project at the repository root (another: `--build-arg PROJECT=...`),
  published on the SDK's Alpine image and run on aspnet:10.0-alpine as its built-in `app` user (1654)
  through its apphost, linked as /app/server; other processes: `/app/server <name>`.
- java: built with the repository's Maven or Gradle wrapper on Temurin 21 and run on the Temurin 21
  JRE; Spring Boot (default), Quarkus, or a runnable (fat) jar for Micronaut and the others (the
  shaded jar of `package`, Gradle's `shadowJar`).
- ruby: Rails (default: `bin/rails server`, Solid Queue's `bin/jobs` or Sidekiq when a Redis is the
  broker) or a Rack app under Puma (Sinatra, Roda, Hanami ...); gems built on the full image, run
  on the slim one.
- php: Apache with mod_php serving `public/` on the profile's port as www-data (33); vendor from
  the Composer image; Laravel (default), Symfony or plain PHP; PostgreSQL and Redis extensions when
  the stack has those stores.
- rust: the package's one binary (`cargo install --path .`), statically linked against musl on
  the Alpine image, as /usr/local/bin/server (like Go); other processes: `server <name>`.
- elixir: a `mix release` (Phoenix by default: assets deployed, `PHX_SERVER=true`), run on the
  matching Erlang/OTP slim image, its start script linked as /app/server.

Every final stage runs as a numeric non-root user, exposes the profile's port and, when the image
serves HTTP, checks the profile's health path with a tool the final image has (BusyBox wget on
Alpine, curl where the base image ships it, the runtime itself otherwise).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .deploy import Deploy, Image, Service, slug

__all__ = ["FAMILIES", "framework_of", "command", "image_context", "ci_steps", "dockerignore"]

#: runtime families built here (the others: files.py)
FAMILIES = ("dotnet", "java", "ruby", "php", "rust", "elixir")

#: framework names (lower case) -> the framework whose conventions the image follows; None: the
#: family's default (the first entry)
_FRAMEWORKS: dict[str, dict[str, tuple[str, ...]]] = {
    "dotnet": {"aspnetcore": ("aspnetcore", "asp.net core", "asp.net", "aspnet", "minimal-api")},
    "java": {
        "spring": ("spring", "spring-boot", "springboot", "spring boot"),
        "quarkus": ("quarkus",),
        "micronaut": ("micronaut",),
    },
    "ruby": {"rails": ("rails", "ruby on rails", "ror")},
    "php": {"laravel": ("laravel",), "symfony": ("symfony",)},
    "rust": {"binary": ()},
    "elixir": {"phoenix": ("phoenix",)},
}
#: what any other framework name of the family falls back to
_OTHER = {
    "dotnet": "aspnetcore",
    "java": "jar",
    "ruby": "rack",
    "php": "php",
    "rust": "binary",
    "elixir": "mix",
}

# Pinned base images (version tags; the Debian/Ubuntu/Alpine release is pinned where packages are
# installed, so the package pins below stay valid).
DOTNET_SDK = "mcr.microsoft.com/dotnet/sdk:10.0-alpine"
DOTNET_RUNTIME = "mcr.microsoft.com/dotnet/aspnet:10.0-alpine"
JAVA_JDK = "eclipse-temurin:21-jdk-noble"
JAVA_JRE = "eclipse-temurin:21-jre-noble"
RUBY_BUILD = "ruby:3.4-trixie"
RUBY_RUN = "ruby:3.4-slim-trixie"
COMPOSER = "composer:2.9"
PHP_RUN = "php:8.4-apache-trixie"
RUST_BUILD = "rust:1.94-alpine3.23"
RUST_RUN = "alpine:3.23"
ELIXIR_BUILD = "elixir:1.19-otp-28"
ELIXIR_RUN = "erlang:28-slim"
#: Debian trixie ships PostgreSQL 17: pinned to the major version, so security updates still apply
LIBPQ_VERSION = "17.*"
PHPREDIS_VERSION = "6.3.0"

JVM_OPTS = "-XX:MaxRAMPercentage=75"  # the JVM's default heap is 25% of the container's memory


def framework_of(family: str, framework: str | None) -> str:
    """The framework whose conventions the image follows: the family's default when the profile
    names none, the generic one of the family when it names another."""
    table = _FRAMEWORKS[family]
    if framework is None or not framework.strip():
        return next(iter(table))
    name = framework.strip().lower()
    for fw, aliases in table.items():
        if name == fw or name in aliases:
            return fw
    return _OTHER[family]


def _framework(img_or_services: Image | list[Service], family: str) -> str:
    svcs = list(img_or_services.services) if isinstance(img_or_services, Image) else img_or_services
    named = next((s.framework for s in svcs if s.framework), None)
    return framework_of(family, named)


def _broker(dep: Deploy) -> bool:
    """A Redis of the stack is a job queue's broker."""
    return any(st.kind == "redis" and dep.store_use.get(st.name) == "broker" for st in dep.stores)


def _port(s: Service) -> int:
    return s.port or 8080


# --------------------------------------------------------------------------- commands
def command(s: Service, main: bool, dep: Deploy, family: str) -> list[str]:
    """The command line of one process of the image (``main``: the image's default process)."""
    fw = _framework(_image_services(dep, family), family)  # the image's framework, workers included
    name = slug(s.name)
    worker = s.kind == "worker"
    if family == "dotnet":
        return ["/app/server"] if main else ["/app/server", name]
    if family == "rust":
        return ["/usr/local/bin/server"] if main else ["/usr/local/bin/server", name]
    if family == "java":
        if fw == "quarkus":
            return [
                "java",
                JVM_OPTS,
                *([] if main else [f"-Dquarkus.profile={name}"]),
                "-jar",
                "/app/quarkus-run.jar",
            ]
        jar = ["java", JVM_OPTS, "-jar", "/app/app.jar"]
        if main:
            return jar
        return [*jar, f"--spring.profiles.active={name}"] if fw == "spring" else [*jar, name]
    if family == "ruby":
        if worker:
            if _broker(dep):
                return ["bundle", "exec", "sidekiq", "-c", str(s.concurrency or 2)]
            return ["bin/jobs"] if fw == "rails" else ["bundle", "exec", "ruby", f"bin/{name}"]
        if fw == "rails":
            return ["bin/rails", "server", "-b", "0.0.0.0", "-p", str(_port(s))]
        return ["bundle", "exec", "puma", "-b", f"tcp://0.0.0.0:{_port(s)}"]
    if family == "php":
        if worker:
            if fw == "laravel":
                return ["php", "artisan", "queue:work", "--tries=3"]
            if fw == "symfony":
                return ["php", "bin/console", "messenger:consume", "async"]
            return ["php", f"bin/{name}.php"]
        return ["apache2-foreground"]
    if family == "elixir":
        return ["/app/server", "start"]
    raise ValueError(f"no command for runtime family {family!r}")


def _image_services(dep: Deploy, family: str) -> list[Service]:
    return next((list(img.services) for img in dep.images if img.family == family), [])


# --------------------------------------------------------------------------- Dockerfile facts
@dataclass(frozen=True)
class _Health:
    command: list[str]
    start_period: str


def _health(family: str, port: int | str, path: str) -> _Health | None:
    if not port:
        return None
    url = f"http://127.0.0.1:{port}{path}"
    if family in ("dotnet", "rust"):  # Alpine: BusyBox wget
        return _Health(["wget", "-q", "-O", "/dev/null", url], "15s")
    if family in ("java", "php"):  # Temurin's and the PHP image's curl
        return _Health(
            ["curl", "-fsS", "-o", "/dev/null", "--max-time", "4", url], "60s" if family == "java" else "15s"
        )
    if family == "ruby":
        return _Health(
            [
                "ruby",
                "-rnet/http",
                "-e",
                f"exit Net::HTTP.get_response(URI('{url}')).is_a?(Net::HTTPSuccess)",
            ],
            "30s",
        )
    if family == "elixir":
        probe = (
            "application:ensure_all_started(inets), "
            f'case httpc:request(get, {{"{url}", []}}, [{{timeout, 4000}}], []) of '
            "{ok, {{_, S, _}, _, _}} when S < 400 -> halt(0); _ -> halt(1) end."
        )
        return _Health(["erl", "-noshell", "-eval", probe], "30s")
    raise ValueError(family)


def _env(pairs: list[tuple[str, str]]) -> str:
    return " ".join(f"{k}={v}" for k, v in pairs)


def image_context(img: Image, dep: Deploy, port: int | str, health_path: str) -> dict[str, Any]:
    """The template variables of one image of a family built here."""
    fam = img.family
    fw = _framework(img, fam)
    kinds = dep.store_kinds()
    has_worker = any(s.kind == "worker" for s in img.services)
    env: list[tuple[str, str]] = []
    ctx: dict[str, Any] = {"stack": fw, "images": {}}
    if fam == "dotnet":
        ctx["images"] = {"build": DOTNET_SDK, "run": DOTNET_RUNTIME}
        if port:
            env.append(("ASPNETCORE_HTTP_PORTS", str(port)))
    elif fam == "java":
        ctx["images"] = {"build": JAVA_JDK, "run": JAVA_JRE}
        if fw == "quarkus":
            maven = "sh ./mvnw -B -DskipTests package && cp -R target/quarkus-app /out/app"
            gradle = "sh ./gradlew --no-daemon quarkusBuild && cp -R build/quarkus-app /out/app"
            ctx["artifact"] = ("/out/app", "/app")
        elif fw == "spring":
            maven = "sh ./mvnw -B -DskipTests package && cp target/*.jar /out/app.jar"
            gradle = "sh ./gradlew --no-daemon bootJar && cp build/libs/*.jar /out/app.jar"
            ctx["artifact"] = ("/out/app.jar", "/app/app.jar")
        else:
            maven = (
                "sh ./mvnw -B -DskipTests package"
                " && find target -maxdepth 1 -name '*.jar' ! -name 'original-*' -exec cp {} /out/app.jar ';'"
            )
            gradle = "sh ./gradlew --no-daemon shadowJar && cp build/libs/*-all.jar /out/app.jar"
            ctx["artifact"] = ("/out/app.jar", "/app/app.jar")
        ctx["maven"], ctx["gradle"] = maven, gradle
        port_var = {
            "spring": "SERVER_PORT",
            "quarkus": "QUARKUS_HTTP_PORT",
            "micronaut": "MICRONAUT_SERVER_PORT",
        }.get(fw)
        if port and port_var:
            env.append((port_var, str(port)))
    elif fam == "ruby":
        ctx["images"] = {"build": RUBY_BUILD, "run": RUBY_RUN}
        env += [
            ("BUNDLE_DEPLOYMENT", "1"),
            ("BUNDLE_WITHOUT", "development:test"),
            ("BUNDLE_PATH", "/usr/local/bundle"),
        ]
        env.append(("RAILS_ENV", "production") if fw == "rails" else ("RACK_ENV", "production"))
        ctx["build_env"] = _env(env)
        if fw == "rails":
            env.append(("RAILS_LOG_TO_STDOUT", "1"))
        ctx["apt"] = [f"libpq5={LIBPQ_VERSION}"] if "postgres" in kinds else []
        ctx["writable"] = ["db", "log", "storage", "tmp"] if fw == "rails" else []
    elif fam == "php":
        ctx["images"] = {"build": COMPOSER, "run": PHP_RUN}
        ctx["docroot"] = "/var/www/html/public"
        if fw == "laravel":
            env.append(("LOG_CHANNEL", "stderr"))
        elif fw == "symfony":
            env.append(("APP_ENV", "prod"))
        ctx["pgsql"] = "postgres" in kinds
        ctx["libpq"] = f"libpq-dev={LIBPQ_VERSION}"
        ctx["builtin_ext"] = ["pcntl"] if fw == "laravel" and has_worker else []
        ctx["pecl"] = [f"redis-{PHPREDIS_VERSION}"] if "redis" in kinds else []
        ctx["pecl_enable"] = [p.split("-")[0] for p in ctx["pecl"]]
        ctx["writable"] = {"laravel": ["storage", "bootstrap/cache"], "symfony": ["var"]}.get(fw, [])
    elif fam == "rust":
        ctx["images"] = {"build": RUST_BUILD, "run": RUST_RUN}
    elif fam == "elixir":
        ctx["images"] = {"build": ELIXIR_BUILD, "run": ELIXIR_RUN}
        env += [("LANG", "C.UTF-8"), ("MIX_ENV", "prod"), ("RELEASE_TMP", "/tmp")]
        if fw == "phoenix":
            env.append(("PHX_SERVER", "true"))
    if port:
        env.append(("PORT", str(port)))
    ctx["env"] = _env(env)
    h = _health(fam, port, health_path)
    ctx["healthcheck"] = json.dumps(h.command) if h else ""
    ctx["start_period"] = h.start_period if h else ""
    return ctx


# --------------------------------------------------------------------------- CI and .dockerignore
def ci_steps(family: str, services: list[Service], dep: Deploy) -> list[dict[str, Any]]:
    """The CI job's steps after checkout: the toolchain the image builds with, then the tests."""
    fw = _framework(services, family)
    if family == "dotnet":
        return [
            {"uses": "actions/setup-dotnet@v5", "with": {"dotnet-version": "10.0.x"}},
            {"run": "dotnet test"},
        ]
    if family == "java":
        return [
            {"uses": "actions/setup-java@v5", "with": {"distribution": "temurin", "java-version": "21"}},
            {"run": "if [ -f mvnw ]; then sh ./mvnw -B verify; else sh ./gradlew --no-daemon check; fi"},
        ]
    if family == "ruby":
        return [
            {"uses": "ruby/setup-ruby@v1", "with": {"ruby-version": "3.4", "bundler-cache": True}},
            {"run": "bin/rails db:test:prepare test" if fw == "rails" else "bundle exec rake"},
        ]
    if family == "php":
        exts = ["pdo_pgsql"] * ("postgres" in dep.store_kinds()) + ["redis"] * ("redis" in dep.store_kinds())
        setup: dict[str, Any] = {"php-version": "8.4", "tools": "composer"}
        if exts:
            setup["extensions"] = ", ".join(exts)
        steps: list[dict[str, Any]] = [
            {"uses": "shivammathur/setup-php@v2", "with": setup},
            {"run": "composer install --no-interaction --no-progress --prefer-dist"},
        ]
        if fw == "laravel":  # a throwaway key for this run (encryption, sessions)
            steps.append({"run": 'echo "APP_KEY=base64:$(openssl rand -base64 32)" >> "$GITHUB_ENV"'})
        steps.append({"run": "php artisan test" if fw == "laravel" else "vendor/bin/phpunit"})
        return steps
    if family == "rust":
        return [
            {"uses": "dtolnay/rust-toolchain@stable"},
            {"run": "cargo test --locked"},
        ]
    if family == "elixir":
        return [
            {"uses": "erlef/setup-beam@v1", "with": {"otp-version": "28", "elixir-version": "1.19"}},
            {"run": "mix deps.get"},
            {"run": "mix test"},
        ]
    raise ValueError(f"no CI steps for runtime family {family!r}")


_IGNORE = {
    "dotnet": ["**/bin/Debug", "**/bin/Release", "**/obj"],
    "java": ["target", "build", ".gradle"],
    "ruby": [".bundle", "vendor/bundle", "log/*", "tmp/*", "storage/*", "public/assets"],
    "php": ["vendor"],
    "rust": ["target"],
    "elixir": ["_build", "deps"],
}


def dockerignore(families: list[str]) -> list[str]:
    """Build output and local dependencies of these families, for .dockerignore (in order, once)."""
    out: list[str] = []
    for fam in families:
        for line in _IGNORE.get(fam, []):
            if line not in out:
                out.append(line)
    return out
