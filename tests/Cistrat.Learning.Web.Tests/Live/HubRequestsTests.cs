using System.Net;
using System.Security.Claims;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Web.Features.Live;
using Cistrat.Learning.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;

namespace Cistrat.Learning.Web.Tests.Live;

/// <summary>The hub's own short pipeline: who gets through it, and the person a connection keeps.</summary>
public sealed class HubRequestsTests(LearningAppFactory app) : IClassFixture<LearningAppFactory>, IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await app.ResetAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public void Slim_KeepsTheIdAndTheRoles_AndNothingElse()
    {
        var cookieUser = new ClaimsPrincipal(new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, "user-1"),
                new Claim(ClaimTypes.Name, "Amina"),
                new Claim(ClaimTypes.Email, "amina@example.org"),
                new Claim("AspNet.Identity.SecurityStamp", "STAMP"),
                // As read out of a cookie: a copy of the role name, not the shared string.
                new Claim(ClaimTypes.Role, new string(Roles.Lecturer.AsSpan())),
                new Claim(ClaimTypes.Role, new string(Roles.Coordinator.AsSpan())),
                new Claim("cistrat:tz", "Africa/Addis_Ababa"),
            ],
            new string(IdentityConstants.ApplicationScheme.AsSpan()), ClaimTypes.Name, ClaimTypes.Role));

        var slim = HubRequests.Slim(cookieUser);

        Assert.Equal(["user-1"], slim.FindAll(ClaimTypes.NameIdentifier).Select(c => c.Value));
        Assert.Equal([Roles.Lecturer, Roles.Coordinator], slim.FindAll(ClaimTypes.Role).Select(c => c.Value));
        Assert.Equal(3, slim.Claims.Count());
        Assert.True(slim.IsInRole(Roles.Coordinator));
        Assert.False(slim.IsInRole(Roles.Admin));
        Assert.True(slim.Identity!.IsAuthenticated);
        // Shared strings, not 2,000 copies of the same text for 2,000 trainees.
        Assert.All(slim.FindAll(ClaimTypes.Role), c => Assert.True(ReferenceEquals(c.Value, Roles.Lecturer) || ReferenceEquals(c.Value, Roles.Coordinator)));
        Assert.Same(IdentityConstants.ApplicationScheme, slim.Identity.AuthenticationType);
        Assert.All(slim.Claims, c => Assert.True(ReferenceEquals(c.Type, ClaimTypes.NameIdentifier) || ReferenceEquals(c.Type, ClaimTypes.Role)));
    }

    [Fact]
    public void Slim_OfAPersonWithoutRoles_IsStillSignedIn()
    {
        var slim = HubRequests.Slim(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "u")], "Identity.Application")));

        Assert.True(slim.Identity!.IsAuthenticated);
        Assert.Empty(slim.FindAll(ClaimTypes.Role));
    }

    [Fact]
    public async Task Negotiating_WithoutSigningIn_FromScript_Is401_NotARedirectOrAnErrorPage()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var anonymous = room.Anonymous();

        using var request = new HttpRequestMessage(HttpMethod.Post, "/hubs/live/negotiate?negotiateVersion=1");
        request.Headers.Add("X-Requested-With", "XMLHttpRequest");
        using var response = await anonymous.Http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Negotiating_SignedIn_Works_AndPagesStillGetTheirPipeline()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var trainee = await room.TraineeAsync();

        using var negotiate = await trainee.Http.PostAsync(new Uri("/hubs/live/negotiate?negotiateVersion=1", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.OK, negotiate.StatusCode);
        Assert.Contains("connectionToken", await negotiate.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        // The page pipeline (status-code pages included) is untouched by the hub's branch.
        using var missing = await trainee.Http.GetAsync(new Uri("/no-such-page", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("<html", await missing.Content.ReadAsStringAsync(Ct), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task SomeoneEnrolledAfterTheRoomReadItsCohort_JoinsAtOnce()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        // The first join reads who the cohort holds, and the room keeps that list two minutes.
        var early = await room.JoinAsync(await room.TraineeAsync("Early"));
        Assert.Equal("trainee", early.Joined!.Role);

        var late = await room.JoinAsync(await room.TraineeAsync("Late"));

        Assert.Equal("trainee", late.Joined!.Role);
    }
}
