using SmartCity.Streams.Batches;

namespace SmartCity.Streams.Operators.Basic;

/// <summary>
/// Computes a derived Float64 column for a whole batch: read the input spans of <paramref name="input"/> and
/// write one value per row into <paramref name="output"/>. Called once per batch, so a lambda costs one
/// delegate call per batch, not per row.
/// </summary>
/// <param name="input">The input batch.</param>
/// <param name="columns">Ordinals of the columns the operator was declared to read, in declaration order.</param>
/// <param name="output">One slot per row of <paramref name="input"/>.</param>
public delegate void DeriveKernel(StreamBatch input, ReadOnlySpan<int> columns, Span<double> output);
