CREATE TABLE IF NOT EXISTS {{.DB}}.notifications (
    receiver {{.Enum}},
    group_key String,
    group_id String,
    version UInt64,
    kind {{.Enum}},
    status {{.Enum}},
    attempt UInt32,
    reason {{.Enum}},
    error String,
    post_ref String,
    alerts UInt32,
    enqueued_at DateTime{{.TimeCodec}},
    at DateTime{{.TimeCodec}}
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (receiver, at, group_id)
SETTINGS index_granularity = 8192
