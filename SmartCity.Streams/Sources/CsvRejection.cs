namespace SmartCity.Streams.Sources;

/// <summary>A CSV row a source rejected under <see cref="CsvErrorPolicy.Skip"/>.</summary>
/// <param name="Line">One-based line number where the row starts.</param>
/// <param name="Column">The column at fault, if one.</param>
/// <param name="Text">The text that did not parse, if any.</param>
/// <param name="Reason">What was wrong and what was expected.</param>
public readonly record struct CsvRejection(long Line, string? Column, string? Text, string Reason);
