CREATE TABLE IF NOT EXISTS {{.DB}}.silences (
    id String,
    matchers Array(String),
    starts_at DateTime,
    ends_at DateTime,
    created_by String,
    comment String,
    updated_at DateTime,
    revision UInt64
)
ENGINE = ReplacingMergeTree(revision)
ORDER BY id
SETTINGS index_granularity = 8192;
CREATE TABLE IF NOT EXISTS {{.DB}}.notification_log (
    group_key String,
    group_id String,
    version UInt64,
    firing Array(UInt64),
    at DateTime,
    revision UInt64
)
ENGINE = ReplacingMergeTree(revision)
ORDER BY group_key
SETTINGS index_granularity = 8192
