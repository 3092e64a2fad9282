CREATE TABLE IF NOT EXISTS {{.DB}}.labels (
    message_id String,
    brand {{.Enum}},
    label {{.Enum}},
    value UInt8,
    actor String,
    note String,
    created_at DateTime
)
ENGINE = ReplacingMergeTree(created_at)
ORDER BY (brand, message_id, label, actor)
SETTINGS index_granularity = 8192
