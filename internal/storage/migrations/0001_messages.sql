CREATE TABLE IF NOT EXISTS {{.DB}}.messages (
    id String,
    brand {{.Enum}},
    channel {{.Enum}},
    kind {{.Enum}},
    direction {{.Enum}},
    conversation_id String,
    in_reply_to String,
    author_id String,
    author_handle String,
    author_name String,
    author_followers Int64,
    author_following Int64,
    author_verified UInt8,
    author_created_at DateTime,
    text String{{.Compressed}},
    lang {{.Enum}},
    sentiment Float32,
    label_names Array({{.Enum}}),
    label_scores Array(Float32),
    label_decisions Array(UInt8),
    label_reasons Array(String),
    created_at DateTime{{.TimeCodec}},
    received_at DateTime{{.TimeCodec}},
    ingested_at DateTime,
    raw String{{.Compressed}}
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toDate(created_at)
ORDER BY (brand, created_at, id)
{{- with .TTL "created_at"}}
TTL {{.}}{{end}}
SETTINGS index_granularity = 8192{{if .TTL "created_at"}}, ttl_only_drop_parts = 1{{end}}
