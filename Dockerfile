# A minimal image to run simpleflow commands: the embedded service, deciders, workers, standalone runs.
#   docker build -t simpleflow .
#   docker run --rm simpleflow standalone --local-swf examples.basic.BasicWorkflow --input '[1, 1]'
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml setup.py README.rst ./
COPY simpleflow ./simpleflow
RUN pip install --no-cache-dir .
# The CLI imports workflows from the current directory, so the examples run from /app as in a checkout.
COPY examples ./examples
# The embedded service binds loopback by default; to reach it from outside the container run
#   simpleflow localswf.start --host 0.0.0.0 --allow-remote
EXPOSE 8765
ENTRYPOINT ["simpleflow"]
CMD ["--help"]
