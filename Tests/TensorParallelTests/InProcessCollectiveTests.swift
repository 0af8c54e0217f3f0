// The in-memory collective that lets N tensor-parallel ranks run on N threads of one process.

import Backend
import CPUBackend
import Testing

@Suite("In-process collective")
struct InProcessCollectiveTests {
    /// Oracle: the sum computed directly. After repeated all-reduces of different sizes (barrier
    /// reuse), every rank holds Σ_ranks of the values, bit-identical on all ranks.
    @Test(arguments: [1, 2, 3, 4])
    func allReduceSumsOverRanks(worldSize: Int) {
        let group = InProcessCollectiveGroup(worldSize: worldSize)
        let counts = [1, 7, 64, 1000, 3]
        let results = group.run { rank in
            let backend = CPUBackend(threadCount: 1)
            let collective = group.endpoint(rank: rank)
            var outputs: [[Float]] = []
            for round in 0..<20 {
                let count = counts[round % counts.count]
                let x = backend.upload((0..<(count + 5)).map { Float(rank * 1000 + $0) * 0.5 + Float(round) })
                collective.allReduceSum(x, count: count)
                outputs.append(backend.download(x, count: count + 5))
            }
            return outputs
        }
        for round in 0..<20 {
            let count = counts[round % counts.count]
            let expected = (0..<(count + 5)).map { i -> Float in
                if i >= count { return Float(i) * 0.5 + Float(round) }  // rank 0's untouched tail
                var sum: Float = 0
                for r in 0..<worldSize { sum += Float(r * 1000 + i) * 0.5 + Float(round) }
                return sum
            }
            #expect(results[0][round] == expected, "round \(round)")
            for rank in 1..<worldSize {
                #expect(Array(results[rank][round].prefix(count)) == Array(results[0][round].prefix(count)))
            }
        }
    }
}
