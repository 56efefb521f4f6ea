# A minimal image to run simpleflow commands (decider, worker, embedded service) on any machine.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml setup.py README.rst ./
COPY simpleflow ./simpleflow
RUN pip install --no-cache-dir .
# The embedded service must be reachable from outside the container, hence the explicit bind address.
EXPOSE 8765
ENTRYPOINT ["simpleflow"]
CMD ["--help"]
