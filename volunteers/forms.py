import unicodedata

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_otp.oath import TOTP

from statements.forms import LabelledForm, StatementForm
from statements.models import REASON_MAX_LENGTH, TEXT_MAX_LENGTH, Channel
from statements.validators import validate_text
from volunteers.roles import Role


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        validators=[validate_text],
        error_messages={"required": _("Give a reason.")},
    )


# --- Accounts -----------------------------------------------------------------------------
def _password_field(label, *, autocomplete: str) -> forms.CharField:
    # max_length: an over-long password is refused by the form, before it is hashed.
    return forms.CharField(
        label=label,
        strip=False,
        max_length=settings.PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


class _Form(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # as on the sign-in page
        super().__init__(*args, **kwargs)


class SignInForm(AuthenticationForm):
    password = _password_field(_("Password"), autocomplete="current-password")


class SecondFactorForm(_Form):
    code = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
        error_messages={"required": _("Enter a code.")},
    )


class NewPasswordMixin:
    """Two matching new passwords that pass the validators (max length included)."""

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second:
            if first != second:
                self.add_error("password2", _("The two passwords differ."))
            else:
                try:
                    password_validation.validate_password(first, self.user)
                except ValidationError as error:
                    self.add_error("password1", error)
        return cleaned


class SetupForm(NewPasswordMixin, _Form):
    """A new password and the first code of the authenticator being enrolled."""

    password1 = _password_field(_("New password"), autocomplete="new-password")
    password2 = _password_field(_("New password again"), autocomplete="new-password")
    code = forms.CharField(
        label=_("Six-digit code shown by your authenticator app"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, user, totp_key: str, **kwargs):
        self.user = user
        self.totp_key = totp_key
        self.totp_t: int | None = None
        super().__init__(*args, **kwargs)

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        totp = TOTP(bytes.fromhex(self.totp_key))
        # isascii: "²".isdigit() is true, and int("²") raises.
        if not (code.isascii() and code.isdigit()) or not totp.verify(int(code), tolerance=1):
            raise ValidationError(
                _("That code does not match. Check the clock of your phone and try again."),
                code="bad_code",
            )
        self.totp_t = totp.t()
        return code


class ChangePasswordForm(NewPasswordMixin, _Form):
    current = _password_field(_("Current password"), autocomplete="current-password")
    password1 = _password_field(_("New password"), autocomplete="new-password")
    password2 = _password_field(_("New password again"), autocomplete="new-password")

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_current(self) -> str:
        current = self.cleaned_data["current"]
        if not self.user.check_password(current):
            raise ValidationError(_("That is not your current password."), code="wrong")
        return current


class CreateVolunteerForm(_Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and @ . + - _ only. Not the person's real name."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def clean_username(self) -> str:
        username = unicodedata.normalize("NFKC", self.cleaned_data["username"])
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError(_("That username is taken."), code="taken")
        return username


class RoleForm(_Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


# --- Review workspace -------------------------------------------------------------------
class DecisionForm(forms.Form):
    """One statement's row of the batch form (prefixed with its id). Undecided rows are
    left as they are. `reasons` are the active rejection reasons, looked up once per batch
    and passed to every row."""

    CHOICES = [
        ("", _("Leave undecided")),
        ("approve", _("Publish")),
        ("reject", _("Decline")),
        ("skip", _("Skip")),
    ]
    choice = forms.ChoiceField(choices=CHOICES, required=False)
    reason = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    note = forms.CharField(max_length=REASON_MAX_LENGTH, required=False, validators=[validate_text])
    override = forms.CharField(
        max_length=REASON_MAX_LENGTH, required=False, validators=[validate_text]
    )

    def __init__(self, *args, reasons: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.reasons = reasons
        self.fields["reason"].choices = [("", ""), *((pk, r.label) for pk, r in reasons.items())]

    def clean(self):
        data = super().clean()
        if data.get("choice") == "reject" and not data.get("reason"):
            raise forms.ValidationError(_("Choose a reason to decline."))
        return data

    def reason_object(self):
        return self.reasons.get(self.cleaned_data.get("reason"))


class RedactForm(forms.Form):
    lease = forms.UUIDField()
    characters = forms.CharField(
        label=_("Characters to mask"),
        max_length=TEXT_MAX_LENGTH,
        strip=False,
        error_messages={"required": _("Type the characters to mask.")},
    )


# --- Paper batches --------------------------------------------------------------------------
class PaperUploadForm(LabelledForm):
    file = forms.FileField(
        label=_("CSV file of paper forms"),
        error_messages={
            "required": _("Choose a CSV file."),
            "empty": _("The file is empty."),
        },
    )
    language = forms.ChoiceField(
        label=_("Language the forms are written in"),
        choices=settings.LANGUAGES,
        help_text=_("Stored with each statement, as the public form stores the page’s."),
    )


class PaperConfirmForm(LabelledForm):
    again = forms.BooleanField(
        label=_("Yes, this same file was confirmed before; save its rows again as new statements."),
        required=False,
    )


class CallbackOutcomeForm(forms.Form):
    """What came of a call (volunteers.hotline.OUTCOMES)."""

    outcome = forms.ChoiceField(
        choices=[
            ("taken", _("Statement taken")),
            ("no_answer", _("No answer")),
            ("declined", pgettext_lazy("callback outcome", "Declined")),
            ("wrong_number", _("Wrong number")),
        ]
    )


# --- Entry for others -----------------------------------------------------------------------
# How a statement entered by a volunteer came (the web is the person's own; imported
# statements come only from `manage.py import_statements`).
ENTRY_CHANNELS = [(c.value, c.label) for c in Channel if c not in (Channel.WEB, Channel.IMPORTED)]


class EntryForm(StatementForm):
    """The public form's fields (the same validation), plus what a volunteer adds: how the
    statement came, the person's language, and their confirmation. The fields come in
    the order a volunteer types them; in batch mode the last three are kept."""

    channel = forms.ChoiceField(label=_("How it came"), choices=ENTRY_CHANNELS)
    language = forms.ChoiceField(label=_("The person's language"), choices=settings.LANGUAGES)
    confirmed = forms.BooleanField(
        label=_("This person asked me to submit this statement."),
        error_messages={"required": _("Confirm that this person asked you to submit it.")},
    )
    batch = forms.BooleanField(
        label=_("Batch mode: keep how it came, region and language for the next entry"),
        required=False,
    )
    # The hotline callback this entry came from (`?callback=` from the callback page).
    callback = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )

    field_order = [
        "name",
        "is_alias",
        "organizations",
        "text",
        "region",
        "channel",
        "language",
        "confirmed",
        "batch",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Name or alias")
        self.fields["name"].help_text = _("As the person gave it. It will be published.")
        self.fields["organizations"].label = _("Withdraws from")
        self.fields["text"].label = _("Statement (optional)")
        self.fields["text"].help_text = _("In the person's words. No phone or ID numbers.")
        self.fields["text"].widget.attrs["rows"] = 3
        self.fields["region"].help_text = ""
        # The name is where every entry starts; the rest follows in tab order.
        self.fields["name"].widget.attrs.update(autofocus=True, autocomplete="off")
        if not self.is_bound:
            self.initial.setdefault("channel", Channel.VOLUNTEER)
            self.initial.setdefault("language", get_language())


def entry_fields(data: dict) -> dict:
    """submit_statement's arguments (but entered_by) from a valid EntryForm's data."""
    return {
        "display_name": data["name"],
        "is_alias": data["is_alias"],
        "organizations": data["organizations"],
        "region": data["region"],
        "text": data["text"],
        "language": data["language"],
        "channel": data["channel"],
    }
