namespace Cistrat.Learning.Core.Live;

/// <summary>
/// A slide deck that cannot be shown: a Markdown deck with errors, or an uploaded PDF that could not be converted.
/// The message is written for the person who supplied the deck.
/// </summary>
public sealed class SlideDeckException : Exception
{
    public SlideDeckException()
    {
    }

    public SlideDeckException(string message)
        : base(message)
    {
    }

    public SlideDeckException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <param name="file">The deck file, relative to the content root with '/' separators.</param>
    /// <param name="line">1-based line in that file; 0 when the problem concerns the whole file.</param>
    public SlideDeckException(string file, int line, string reason)
        : base(line > 0 ? $"{file}:{line}: {reason}" : $"{file}: {reason}")
    {
        File = file;
        Line = line;
    }

    /// <summary>The deck file the problem is in, when it came from one.</summary>
    public string? File { get; }

    /// <summary>1-based line of the problem in <see cref="File"/>; 0 when unknown or the whole file.</summary>
    public int Line { get; }
}
