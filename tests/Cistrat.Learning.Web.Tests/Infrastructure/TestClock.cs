namespace Cistrat.Learning.Web.Tests.Infrastructure;

/// <summary>The app's clock in tests: real time, plus whatever a test moves it forward by.</summary>
public sealed class TestClock : TimeProvider
{
    private TimeSpan _offset;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + _offset;

    public void Advance(TimeSpan by) => _offset += by;

    public void Reset() => _offset = TimeSpan.Zero;
}
