using SmartCity.Streams.Internal;

namespace SmartCity.Streams.Operators.Forecasting;

/// <summary>
/// Sparse weighted adjacency between dense keys (compressed sparse rows). Self loops are dropped because a key's own
/// history is already a feature of every model.
/// </summary>
public sealed class RoadGraph
{
    private readonly int[] _offsets;
    private readonly int[] _targets;
    private readonly double[] _weights;

    private RoadGraph(int[] offsets, int[] targets, double[] weights)
    {
        _offsets = offsets;
        _targets = targets;
        _weights = weights;
    }

    /// <summary>A graph without keys or edges.</summary>
    public static RoadGraph Empty { get; } = new([0], [], []);

    /// <summary>Number of keys the graph covers (0..KeyCount-1).</summary>
    public int KeyCount => _offsets.Length - 1;

    /// <summary>Number of stored directed edges.</summary>
    public int EdgeCount => _targets.Length;

    /// <summary>Builds a graph from a dense row-major <paramref name="keyCount"/> x <paramref name="keyCount"/> matrix; zero, negative and non-finite weights mean no edge.</summary>
    public static RoadGraph FromDense(ReadOnlySpan<double> matrix, int keyCount)
    {
        if (keyCount < 0 || (long)keyCount * keyCount != matrix.Length)
        {
            ThrowHelper.Argument(nameof(matrix), "The matrix must hold keyCount * keyCount weights.");
        }

        var offsets = new int[keyCount + 1];
        int edges = 0;
        for (int i = 0; i < keyCount; i++)
        {
            for (int j = 0; j < keyCount; j++)
            {
                if (IsEdge(i, j, matrix[(i * keyCount) + j]))
                {
                    edges++;
                }
            }

            offsets[i + 1] = edges;
        }

        var targets = new int[edges];
        var weights = new double[edges];
        int e = 0;
        for (int i = 0; i < keyCount; i++)
        {
            for (int j = 0; j < keyCount; j++)
            {
                double w = matrix[(i * keyCount) + j];
                if (IsEdge(i, j, w))
                {
                    targets[e] = j;
                    weights[e] = w;
                    e++;
                }
            }
        }

        return new RoadGraph(offsets, targets, weights);
    }

    /// <summary>Builds a graph from an edge list (from, to, weight); edges are directed, so add both directions for an undirected road. Memory is linear in the edges.</summary>
    public static RoadGraph FromEdges(int keyCount, ReadOnlySpan<int> from, ReadOnlySpan<int> to, ReadOnlySpan<double> weight)
    {
        if (from.Length != to.Length || from.Length != weight.Length)
        {
            ThrowHelper.Argument(nameof(from), "from, to and weight must have the same length.");
        }

        if (keyCount < 0)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(keyCount), "keyCount must not be negative.");
        }

        var offsets = new int[keyCount + 1];
        for (int e = 0; e < from.Length; e++)
        {
            if ((uint)from[e] >= (uint)keyCount || (uint)to[e] >= (uint)keyCount)
            {
                ThrowHelper.ArgumentOutOfRange(nameof(from), "Edge endpoints must lie in 0..keyCount-1.");
            }

            if (IsEdge(from[e], to[e], weight[e]))
            {
                offsets[from[e] + 1]++;
            }
        }

        for (int i = 0; i < keyCount; i++)
        {
            offsets[i + 1] += offsets[i];
        }

        var targets = new int[offsets[keyCount]];
        var weights = new double[targets.Length];
        var fill = offsets.AsSpan(0, keyCount).ToArray();
        for (int e = 0; e < from.Length; e++)
        {
            if (IsEdge(from[e], to[e], weight[e]))
            {
                int at = fill[from[e]]++;
                targets[at] = to[e];
                weights[at] = weight[e];
            }
        }

        return new RoadGraph(offsets, targets, weights);
    }

    /// <summary>Neighbours of <paramref name="key"/>; empty for keys outside the graph.</summary>
    public ReadOnlySpan<int> Neighbours(int key) =>
        (uint)key < (uint)KeyCount ? _targets.AsSpan(_offsets[key], _offsets[key + 1] - _offsets[key]) : default;

    /// <summary>Edge weights of <paramref name="key"/>, aligned with <see cref="Neighbours(int)"/>.</summary>
    public ReadOnlySpan<double> Weights(int key) =>
        (uint)key < (uint)KeyCount ? _weights.AsSpan(_offsets[key], _offsets[key + 1] - _offsets[key]) : default;

    private static bool IsEdge(int i, int j, double w) => i != j && double.IsFinite(w) && w > 0;
}
