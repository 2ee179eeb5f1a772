namespace Cistrat.Learning.E2E.Infrastructure;

/// <summary>The accounts DemoSeeder creates (see Infrastructure/Startup/DemoSeeder.cs), as the journeys use them.</summary>
public static class DemoAccounts
{
    /// <summary>Amina Benali: enrolled nowhere.</summary>
    public const string Trainee = "trainee@demo.local";

    /// <summary>Selamawit Tesfaye: enrolled in every demo cohort, 30% through each course.</summary>
    public const string Trainee3 = "trainee3@demo.local";

    /// <summary>Nguyễn Thị Lan: enrolled in every demo cohort, nothing done yet.</summary>
    public const string Trainee6 = "trainee6@demo.local";

    /// <summary>Lecturer of every demo cohort.</summary>
    public const string Lecturer = "lecturer@demo.local";

    /// <summary>Coordinator of every demo cohort.</summary>
    public const string Coordinator = "coordinator@demo.local";

    /// <summary>Learning:DemoPassword for this run: at least 10 characters with a digit, as the password rules ask.</summary>
    public const string Password = "e2e-journeys-2024";
}
