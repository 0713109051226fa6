extension FeatureSet {
    /// The JSON definition of `meme_v1`, the default feature set. docs/features.md explains
    /// every feature.
    ///
    /// `views_5m_by_minute` and `views_10m_by_minute` are helpers (not emitted) that give the
    /// acceleration's two 5-minute halves on the minute grid: A = views in `[M − 300 s, M)` and
    /// B = views in `[M − 600 s, M − 300 s)` = `views_10m_by_minute − A`, `M = floor(T / 60 s) × 60 s`.
    public static let memeV1Definition = """
        {"name": "meme_v1", "version": 1, "features": [
          {"name": "views_1m", "kind": "window", "aggregator": "count", "event_type": "view", "size_ms": 60000, "hop_ms": 10000},
          {"name": "likes_1m", "kind": "window", "aggregator": "count", "event_type": "like", "size_ms": 60000, "hop_ms": 10000},
          {"name": "views_5m", "kind": "window", "aggregator": "count", "event_type": "view", "size_ms": 300000, "hop_ms": 10000},
          {"name": "likes_5m", "kind": "window", "aggregator": "count", "event_type": "like", "size_ms": 300000, "hop_ms": 10000},
          {"name": "views_1h", "kind": "window", "aggregator": "count", "event_type": "view", "size_ms": 3600000, "hop_ms": 60000},
          {"name": "likes_1h", "kind": "window", "aggregator": "count", "event_type": "like", "size_ms": 3600000, "hop_ms": 60000},
          {"name": "views_24h", "kind": "window", "aggregator": "count", "event_type": "view", "size_ms": 86400000, "hop_ms": 3600000},
          {"name": "likes_24h", "kind": "window", "aggregator": "count", "event_type": "like", "size_ms": 86400000, "hop_ms": 3600000},
          {"name": "views_5m_by_minute", "kind": "window", "aggregator": "count", "event_type": "view", "size_ms": 300000, "hop_ms": 60000, "emit": false},
          {"name": "views_10m_by_minute", "kind": "window", "aggregator": "count", "event_type": "view", "size_ms": 600000, "hop_ms": 60000, "emit": false},
          {"name": "view_velocity_5m", "kind": "derived", "expression": "views_5m / 5"},
          {"name": "view_acceleration_5m", "kind": "derived", "expression": "(views_5m_by_minute - (views_10m_by_minute - views_5m_by_minute)) / 5"},
          {"name": "like_rate_1h", "kind": "derived", "expression": "(likes_1h + 1) / (views_1h + 20)"},
          {"name": "dwell_ms_avg_1h", "kind": "window", "aggregator": "mean", "parameters": {"field": "dwell_ms"}, "event_type": "view", "size_ms": 3600000, "hop_ms": 60000},
          {"name": "first_seen_ms", "kind": "key", "aggregator": "first_event_time"},
          {"name": "last_event_ms", "kind": "key", "aggregator": "last_event_time"},
          {"name": "published_at_ms", "kind": "key", "aggregator": "min", "parameters": {"field": "published_at"}},
          {"name": "age_s", "kind": "clock", "expression": "max(0, tick - coalesce(published_at_ms, first_seen_ms)) / 1000"},
          {"name": "trending_score", "kind": "clock", "aggregator": "decayed_sum", "parameters": {"half_life_ms": 3600000}, "event_type": "view"}
        ]}
        """

    /// `meme_v1`, version 1: the built-in default feature set.
    public static let memeV1: FeatureSet = {
        do {
            return try load(jsonBytes: Array(memeV1Definition.utf8))
        } catch {
            fatalError("the built-in meme_v1 definition is invalid: \(error)")
        }
    }()
}
