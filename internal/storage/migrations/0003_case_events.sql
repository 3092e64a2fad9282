CREATE TABLE IF NOT EXISTS {{.DB}}.case_events (
    id String,
    case_id String,
    seq UInt32,
    brand {{.Enum}},
    channel {{.Enum}},
    customer_id String,
    conversation_id String,
    event {{.Enum}},
    at DateTime{{.TimeCodec}},
    actor String,
    message_id String,
    reason {{.Enum}},
    calendar_seconds Int64,
    business_seconds Int64,
    priority {{.Enum}},
    language {{.Enum}},
    complaint UInt8,
    influencer UInt8,
    inserted_at DateTime
)
ENGINE = ReplacingMergeTree(inserted_at)
PARTITION BY toYYYYMM(at)
ORDER BY (brand, case_id, at, event, id)
SETTINGS index_granularity = 8192
