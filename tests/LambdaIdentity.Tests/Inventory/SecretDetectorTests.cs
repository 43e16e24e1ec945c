using LambdaIdentity.Core.Aws.Sources;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Inventory;

public sealed class SecretDetectorTests
{
    [Theory]
    [InlineData("DB_PASSWORD", "hunter2-very-secret")]
    [InlineData("ANYTHING", "AKIAIOSFODNN7EXAMPLE")]
    [InlineData("CONN", "Server=db;User Id=app;Password=abc123;")]
    [InlineData("SALT", "Zx9Qm2Lk8Vb4Np7Rt1Yw3Hs6Jd5Fg0Ca")]
    [InlineData("GH", "ghp_abcdefghijklmnopqrstuvwxyz0123456789")]
    [InlineData("DATABASE_URL", "postgres://app:s3cr3t@db.internal:5432/orders")]
    [InlineData("JWT", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig")]
    public void SecretsAreFoundAndTheValueIsNotInTheFinding(string name, string value)
    {
        var f = SecretDetector.Check(name, value, new SourceLocation { File = "t.yaml" });
        Assert.NotNull(f);
        Assert.Equal("SecretInEnvironment", f!.FindingId);
        Assert.Contains(name, f.Message);
        Assert.DoesNotContain(value, f.Message + f.Recommendation);
    }

    [Theory]
    [InlineData("TABLE", "orders")]
    [InlineData("LOG_LEVEL", "DEBUG")]
    [InlineData("API_KEY", "${Ref:ApiKeyParameter}")]
    [InlineData("SECRET_ARN", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbC123")]
    [InlineData("TOKEN_URL", "https://auth.example.com/oauth2/token")]
    [InlineData("DB_PASSWORD", "{{resolve:secretsmanager:db:SecretString:password}}")]
    [InlineData("PASSWORD_PARAM", "/prod/db/password")]
    [InlineData("BUCKET", "my-company-reports-bucket-eu-west-1")]
    [InlineData("ENABLE_AUTH", "true")]
    [InlineData("DB_PASSWORD", null)]
    public void ReferencesAndPlainSettingsAreNotSecrets(string name, string? value) =>
        Assert.Null(SecretDetector.Check(name, value, null));
}
