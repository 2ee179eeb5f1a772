namespace Cistrat.Learning.E2E.Infrastructure;

/// <summary>Every journey shares one running app, one Chromium and one sign-in per account.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserJourneys : ICollectionFixture<LearningSite>
{
    public const string Name = "Browser journeys";
}
