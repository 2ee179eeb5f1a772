using System.Net;
using System.Text.Json;
using AngleSharp.Html.Parser;
using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Core.Live;
using Cistrat.Learning.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cistrat.Learning.Web.Tests.Live;

/// <summary>
/// One live session of a fresh cohort, and the people of its room, each signed in through the real login form
/// and connected to the real hub with their sign-in cookie. Everything a test makes is its own: new people,
/// a new cohort and a new session, so no test depends on another.
/// </summary>
public sealed class RoomHarness : IAsyncDisposable
{
    public static readonly Uri BaseUri = new("https://localhost");

    public const int DeckSlides = 5;

    private static readonly HtmlParser Parser = new();
    private readonly List<RoomPerson> _people = [];
    private readonly List<RoomClient> _clients = [];

    private RoomHarness(LearningAppFactory app) => App = app;

    public LearningAppFactory App { get; }

    public int CohortId { get; private set; }

    public int SessionId { get; private set; }

    /// <summary>On the cohort's staff as lecturer, with the global Lecturer role.</summary>
    public RoomPerson Lecturer { get; private set; } = null!;

    /// <summary>On the cohort's staff as coordinator, with the global Coordinator role.</summary>
    public RoomPerson Coordinator { get; private set; } = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A cohort with a lecturer and a coordinator, and a session of it in the database, live now.</summary>
    public static async Task<RoomHarness> CreateAsync(
        LearningAppFactory app, bool premoderation = false, bool cancelled = false, TimeSpan? startsIn = null, int durationMinutes = 120)
    {
        ArgumentNullException.ThrowIfNull(app);
        var room = new RoomHarness(app);
        room.Lecturer = await room.PersonAsync("Lecturer", Roles.Lecturer);
        room.Coordinator = await room.PersonAsync("Coordinator", Roles.Coordinator);
        room.CohortId = await TestCohorts.CreateAsync(app, staff: [(room.Lecturer.UserId, StaffRole.Lecturer), (room.Coordinator.UserId, StaffRole.Coordinator)]);
        var now = app.Clock.GetUtcNow().UtcDateTime;
        room.SessionId = await app.WithDbAsync(async db =>
        {
            var session = new LiveSession
            {
                CohortId = room.CohortId, Title = "Measuring R&D " + Guid.NewGuid().ToString("n")[..6],
                StartsAt = now + (startsIn ?? TimeSpan.FromMinutes(-10)), DurationMinutes = durationMinutes,
                AvLink = "https://meet.example.org/room", Premoderation = premoderation, Cancelled = cancelled,
                DeckKind = DeckKind.Markdown, DeckTitle = "Deck", DeckSlideCount = DeckSlides,
                DeckSlidesJson = JsonSerializer.Serialize(Enumerable.Range(1, DeckSlides).Select(i => $"<h2>Slide {i}</h2>")),
                CreatedById = room.Coordinator.UserId, CreatedAt = now, UpdatedAt = now,
            };
            db.LiveSessions.Add(session);
            await db.SaveChangesAsync();
            return session.Id;
        });
        return room;
    }

    /// <summary>A trainee actively enrolled in this session's cohort.</summary>
    public async Task<RoomPerson> TraineeAsync(string name = "Trainee")
    {
        var person = await PersonAsync(name, Roles.Trainee);
        await EnrolAsync(person, CohortId);
        return person;
    }

    /// <summary>A trainee actively enrolled in another cohort of the same course.</summary>
    public async Task<RoomPerson> OutsiderAsync()
    {
        var person = await PersonAsync("Outsider", Roles.Trainee);
        await EnrolAsync(person, await TestCohorts.CreateAsync(App));
        return person;
    }

    /// <summary>An administrator, not on the cohort's staff.</summary>
    public Task<RoomPerson> AdminAsync() => PersonAsync("Admin", Roles.Admin);

    /// <summary>Someone who never signed in: no cookie.</summary>
    public RoomPerson Anonymous()
    {
        var person = new RoomPerson(this, "", "", "Anonymous", new CookieContainer());
        _people.Add(person);
        return person;
    }

    public async Task<RoomClient> ConnectAsync(RoomPerson person, HttpTransportType transport = HttpTransportType.WebSockets)
    {
        ArgumentNullException.ThrowIfNull(person);
        var client = new RoomClient(this, person, Connection(person.Cookies, transport));
        _clients.Add(client);
        await client.Hub.StartAsync(Ct);
        return client;
    }

    /// <summary>Connects and joins the room; the snapshot is on <see cref="RoomClient.Joined"/>.</summary>
    public async Task<RoomClient> JoinAsync(RoomPerson person, HttpTransportType transport = HttpTransportType.WebSockets)
    {
        var client = await ConnectAsync(person, transport);
        await client.JoinAsync();
        return client;
    }

    public HubConnection Connection(CookieContainer cookies, HttpTransportType transport)
    {
        var server = App.Server;
        return new HubConnectionBuilder()
            .WithUrl(new Uri(BaseUri, "/hubs/live"), transport, o =>
            {
                // TestServer has no sockets: HTTP and WebSockets go through its in-memory handler and client.
                o.HttpMessageHandlerFactory = _ => new CookieContainerHandler(cookies) { InnerHandler = server.CreateHandler() };
                o.WebSocketFactory = async (context, ct) =>
                {
                    var ws = server.CreateWebSocketClient();
                    ws.ConfigureRequest = request => request.Headers.Cookie = cookies.GetCookieHeader(BaseUri);
                    return await ws.ConnectAsync(context.Uri, ct);
                };
            })
            .Build();
    }

    /// <summary>The room's version in the database.</summary>
    public Task<long> VersionAsync() =>
        App.WithDbAsync(db => db.LiveSessions.Where(s => s.Id == SessionId).Select(s => s.Version).SingleAsync(Ct));

    public Task<T> DbAsync<T>(Func<LearningDbContext, Task<T>> query) => App.WithDbAsync(query);

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
            await client.DisposeAsync();
        foreach (var person in _people)
            person.Dispose();
    }

    private async Task<RoomPerson> PersonAsync(string name, string role)
    {
        var email = $"{role.ToLowerInvariant()}-{Guid.NewGuid():n}@example.org";
        var fullName = $"{name} {email[..(role.Length + 7)]}";
        string id;
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var user = new ApplicationUser { UserName = email, Email = email, FullName = fullName, CreatedAt = DateTime.UtcNow };
            var created = await users.CreateAsync(user, TestBrowser.Password);
            Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));
            Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
            id = user.Id;
        }

        var person = new RoomPerson(this, id, email, fullName, new CookieContainer());
        _people.Add(person);
        await person.SignInAsync();
        return person;
    }

    private Task EnrolAsync(RoomPerson person, int cohortId) => App.WithDbAsync(async db =>
    {
        db.Enrolments.Add(new Enrolment { CohortId = cohortId, UserId = person.UserId, Status = EnrolmentStatus.Active, RequestedAt = DateTime.UtcNow, DecidedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
    });

    /// <summary>The antiforgery token of the form on a page, as a browser would post it.</summary>
    internal static async Task<string> AntiforgeryTokenAsync(HttpClient http, string url)
    {
        var response = await http.GetAsync(new Uri(url, UriKind.Relative), Ct);
        var html = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode}");
        var page = await Parser.ParseDocumentAsync(html);
        return page.QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value")
            ?? throw new InvalidOperationException($"No antiforgery token on {url}");
    }
}

/// <summary>A person with their own cookies, signed in through <c>/account/login</c>.</summary>
public sealed class RoomPerson(RoomHarness room, string userId, string email, string name, CookieContainer cookies) : IDisposable
{
    public string UserId { get; } = userId;

    public string Email { get; } = email;

    public string Name { get; } = name;

    public CookieContainer Cookies { get; } = cookies;

    /// <summary>A browser without JavaScript sharing this person's cookies.</summary>
    public HttpClient Http { get; } = room.App.CreateDefaultClient(RoomHarness.BaseUri, new CookieContainerHandler(cookies));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async Task SignInAsync()
    {
        var response = await PostFormAsync("/account/login", new Dictionary<string, string>
        {
            ["Input.Email"] = Email,
            ["Input.Password"] = TestBrowser.Password,
        });
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Sign-in of {Email} failed with {(int)response.StatusCode}");
        Assert.Contains(Cookies.GetCookies(RoomHarness.BaseUri), c => c.Name == "cistrat.auth");
    }

    /// <summary>Posts a form from <paramref name="pageUrl"/> with that page's antiforgery token.</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string pageUrl, IDictionary<string, string> fields, string? action = null)
    {
        var form = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = await RoomHarness.AntiforgeryTokenAsync(Http, pageUrl) };
        using var content = new FormUrlEncodedContent(form);
        return await Http.PostAsync(new Uri(action ?? pageUrl, UriKind.Relative), content, Ct);
    }

    public void Dispose() => Http.Dispose();
}
