# The service image: `anomaly serve` by default, `anomaly migrate` as a one-off (see compose.yaml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
COPY migrations ./migrations
# A regular (non-editable) install: the wheel carries the migrations inside the package.
RUN pip install . && rm -rf /src

RUN useradd --system --uid 10001 --home-dir /var/lib/anomaly --create-home anomaly
USER anomaly
WORKDIR /var/lib/anomaly
ENV MODEL_STATE_FOLDER=/var/lib/anomaly/models \
    TRAINING_DATA_FOLDER=/var/lib/anomaly/data

EXPOSE 8000
ENTRYPOINT ["anomaly"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
