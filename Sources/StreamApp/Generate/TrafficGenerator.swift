import StreamCore

/// Synthetic meme traffic: a seeded, reproducible stream of records in arrival order.
///
/// Events are drawn in event-time order as a Poisson process of ``GeneratorConfiguration/eventsPerSecond``,
/// each assigned to a meme with probability proportional to the meme's attention weight. Each
/// event gets a user, a type, a `dwell_ms` for views, possibly a defect, and a delivery delay.
/// Records are released in arrival order (event time + delay) through an ``ArrivalQueue``: an
/// event is released once the event-time clock has passed its arrival time, since every event
/// drawn later arrives later.
///
/// Thread-safety: a value type, used from one task at a time.
struct TrafficGenerator {
    private let configuration: GeneratorConfiguration
    private var random: SeededRandom
    private var population: MemePopulation
    private let users: UserPopulation
    private let delays: DeliveryDelay
    private let defectPicker: RecordDefectPicker
    private var queue = ArrivalQueue()

    /// Event time of the latest drawn event, in fractional ms after the start. Kept relative to
    /// the start: near an epoch time of 1.7 × 10^12 ms, adjacent doubles are 2.4 × 10^-4 ms apart,
    /// so the gaps of a rate above about 4 M events/s would not move an absolute clock.
    private var elapsed: Double = 0
    /// Event time of the next population update, in epoch ms.
    private var nextStep: Int64
    private var drawnEvents = 0
    /// `true` once no more events are drawn; the records still queued are then written in order.
    private(set) var isDrawingFinished = false

    /// The first event time, in ms, outside the valid event-time range.
    static let endOfEventTime: Int64 = 10_000_000_000_000

    /// Share of valid events whose timestamps are RFC 3339 text instead of integers.
    static let textTimestampShare = 0.02
    /// Share of views sent without `dwell_ms`.
    static let viewsWithoutDwellShare = 0.05

    /// Creates a generator; all randomness comes from `configuration.seed`.
    init(configuration: GeneratorConfiguration) {
        self.configuration = configuration
        var random = SeededRandom(seed: configuration.seed)
        self.population = MemePopulation(
            initialMemes: configuration.initialMemes,
            birthsPerMinute: configuration.birthsPerMinute,
            startMilliseconds: configuration.startMilliseconds,
            random: &random
        )
        self.random = random
        self.users = UserPopulation(count: configuration.users)
        self.delays = DeliveryDelay(straggleShare: configuration.straggleShare, lateShare: configuration.lateShare)
        self.defectPicker = RecordDefectPicker(
            allowsFutureTimestamps: configuration.carriesRecordTimestamps,
            allowsInvalidUTF8: configuration.allowsInvalidUTF8
        )
        self.nextStep = configuration.startMilliseconds + MemePopulation.stepMilliseconds
    }

    /// The share of bad records per rejection reason this configuration produces.
    var defectReasonShares: [RejectionReason: Double] { defectPicker.reasonShares }

    /// Writes the next record in arrival order into `record`, reusing its buffers.
    ///
    /// - Returns: `false` when the configured limit is reached and every drawn event is written.
    /// - Complexity: amortized O(log queued events + log alive memes) per record, plus an
    ///   O(alive memes) population update every 10 s of event time.
    mutating func next(into record: inout GeneratedRecord) -> Bool {
        // Each round either releases an event or draws one. Draws stop at the limit, so the loop
        // ends after at most (events drawn + 1) rounds.
        while true {
            if let first = queue.first,
                isDrawingFinished || Double(first.arrivalMilliseconds - configuration.startMilliseconds) <= elapsed
            {
                let event = queue.removeFirst()
                TrafficGenerator.write(event, into: &record)
                return true
            }
            if isDrawingFinished { return false }
            drawEvent()
        }
    }

    private mutating func drawEvent() {
        // The first event is at `start`; later ones follow exponential gaps.
        let eventTime: Int64
        if drawnEvents == 0 {
            eventTime = configuration.startMilliseconds
        } else {
            elapsed += random.exponential(mean: 1_000 / configuration.eventsPerSecond)
            // Every event time from 10^13 ms on is rejected as invalid_timestamp, so drawing stops.
            guard elapsed < Double(Self.endOfEventTime - configuration.startMilliseconds) else {
                isDrawingFinished = true
                return
            }
            eventTime = configuration.startMilliseconds + Int64(elapsed)
        }
        switch configuration.limit {
        case .events(let count) where drawnEvents >= count:
            isDrawingFinished = true
            return
        case .duration(let milliseconds) where eventTime >= configuration.startMilliseconds + milliseconds:
            isDrawingFinished = true
            return
        default:
            break
        }
        // Population steps are bounded by the event-time span drawn so far.
        while eventTime >= nextStep {
            population.advance(to: nextStep, random: &random)
            nextStep += MemePopulation.stepMilliseconds
        }

        let meme = population.memes[population.pickMeme(random: &random)]
        let type = meme.eventType(for: random.unitInterval())
        var event = PendingEvent(
            arrivalMilliseconds: eventTime,
            sequence: Int64(drawnEvents),
            eventMilliseconds: eventTime,
            memeNumber: meme.number,
            publishedAtMilliseconds: meme.publishedAtMilliseconds ?? -1,
            userNumber: users.pickUser(random: &random) ?? -1,
            dwellMilliseconds: -1,
            type: type,
            timestampForm: .integer,
            defect: nil,
            delayKind: .onTime,
            hasMismatchedKey: false
        )
        if type == .view, !random.chance(TrafficGenerator.viewsWithoutDwellShare) {
            // Heavy-tailed attention: median 3.5 s, capped at 30 min.
            event.dwellMilliseconds = min(1_800_000, Int64(random.logNormal(median: 3_500, sigma: 1.1)))
        }
        if random.chance(TrafficGenerator.textTimestampShare) {
            event.timestampForm = random.chance(0.75) ? .textUTC : .textWithOffset
        }

        if random.chance(configuration.badShare) {
            // A defective record travels like an on-time record; only its content is wrong.
            let defect = defectPicker.pick(random: &random)
            event.defect = defect
            event.arrivalMilliseconds = eventTime + delays.drawMilliseconds(.onTime, random: &random)
            if defect == .futureTimestamp {
                let lead = 120_000 + random.unitInterval() * 172_680_000
                event.eventMilliseconds = event.arrivalMilliseconds + Int64(lead)
            }
        } else {
            event.delayKind = delays.drawKind(random: &random)
            event.arrivalMilliseconds = eventTime + delays.drawMilliseconds(event.delayKind, random: &random)
            event.hasMismatchedKey = random.chance(configuration.keyMismatchShare)
        }

        queue.insert(event)
        drawnEvents += 1
    }

    private static func write(_ event: PendingEvent, into record: inout GeneratedRecord) {
        record.key.removeAll(keepingCapacity: true)
        record.value.removeAll(keepingCapacity: true)
        EventValueWriter.appendKey(of: event, to: &record.key)
        EventValueWriter.appendValue(of: event, to: &record.value)
        record.timestampMilliseconds = event.arrivalMilliseconds
        record.eventMilliseconds = event.eventMilliseconds
        record.intendedRejection = event.defect?.reason
        record.delayKind = event.delayKind
        record.hasMismatchedKey = event.hasMismatchedKey
        record.partitionKey.removeAll(keepingCapacity: true)
        EventValueWriter.appendPartitionKey(of: event, to: &record.partitionKey)
    }
}
