package tools

import "github.com/invopop/jsonschema"

// AuthConfigUpdate is UpdateAuthConfigBody, key for key in the spec's order
// (none is deprecated), with its types, enums, bounds and patterns: every key
// is optional and only the keys given are changed. Pointers tell "not given"
// from false, 0 or "". JSON null (which the spec allows for most keys) is not
// accepted: leave a key out to keep it. A new spec key needs a field here and
// in the fake's authFields.
type AuthConfigUpdate struct {
	SiteURL                                               *string                     `json:"site_url,omitempty" jsonschema:"pattern=^[^\\,]+$" jsonschema_description:"Default redirect URL after sign-in (no commas)."`
	DisableSignup                                         *bool                       `json:"disable_signup,omitempty" jsonschema_description:"Refuse new sign-ups."`
	JWTExp                                                *int                        `json:"jwt_exp,omitempty" jsonschema:"minimum=0,maximum=604800" jsonschema_description:"Access token lifetime in seconds (max 604800)."`
	SMTPAdminEmail                                        *string                     `json:"smtp_admin_email,omitempty" jsonschema:"format=email" jsonschema_description:"Sender address of auth emails."`
	SMTPHost                                              *string                     `json:"smtp_host,omitempty" jsonschema_description:"SMTP server host."`
	SMTPPort                                              *string                     `json:"smtp_port,omitempty" jsonschema_description:"SMTP server port."`
	SMTPUser                                              *string                     `json:"smtp_user,omitempty" jsonschema_description:"SMTP user name."`
	SMTPPass                                              *string                     `json:"smtp_pass,omitempty" jsonschema_description:"SMTP password."`
	SMTPMaxFrequency                                      *int                        `json:"smtp_max_frequency,omitempty" jsonschema:"minimum=0,maximum=32767" jsonschema_description:"Minimum seconds between emails to one user."`
	SMTPSenderName                                        *string                     `json:"smtp_sender_name,omitempty" jsonschema_description:"Sender name of auth emails."`
	MailerAllowUnverifiedEmailSignIns                     *bool                       `json:"mailer_allow_unverified_email_sign_ins,omitempty" jsonschema_description:"Let users sign in before confirming their email."`
	MailerAutoconfirm                                     *bool                       `json:"mailer_autoconfirm,omitempty" jsonschema_description:"Confirm emails automatically on sign-up."`
	MailerSubjectsInvite                                  *string                     `json:"mailer_subjects_invite,omitempty" jsonschema_description:"Subject of the invite email."`
	MailerSubjectsConfirmation                            *string                     `json:"mailer_subjects_confirmation,omitempty" jsonschema_description:"Subject of the signup confirmation email."`
	MailerSubjectsRecovery                                *string                     `json:"mailer_subjects_recovery,omitempty" jsonschema_description:"Subject of the password recovery email."`
	MailerSubjectsEmailChange                             *string                     `json:"mailer_subjects_email_change,omitempty" jsonschema_description:"Subject of the email change email."`
	MailerSubjectsMagicLink                               *string                     `json:"mailer_subjects_magic_link,omitempty" jsonschema_description:"Subject of the magic link email."`
	MailerSubjectsReauthentication                        *string                     `json:"mailer_subjects_reauthentication,omitempty" jsonschema_description:"Subject of the reauthentication email."`
	MailerSubjectsPasswordChangedNotification             *string                     `json:"mailer_subjects_password_changed_notification,omitempty" jsonschema_description:"Subject of the password changed email."`
	MailerSubjectsEmailChangedNotification                *string                     `json:"mailer_subjects_email_changed_notification,omitempty" jsonschema_description:"Subject of the email changed email."`
	MailerSubjectsPhoneChangedNotification                *string                     `json:"mailer_subjects_phone_changed_notification,omitempty" jsonschema_description:"Subject of the phone changed email."`
	MailerSubjectsMFAFactorEnrolledNotification           *string                     `json:"mailer_subjects_mfa_factor_enrolled_notification,omitempty" jsonschema_description:"Subject of the MFA factor enrolled email."`
	MailerSubjectsMFAFactorUnenrolledNotification         *string                     `json:"mailer_subjects_mfa_factor_unenrolled_notification,omitempty" jsonschema_description:"Subject of the MFA factor removed email."`
	MailerSubjectsIdentityLinkedNotification              *string                     `json:"mailer_subjects_identity_linked_notification,omitempty" jsonschema_description:"Subject of the identity linked email."`
	MailerSubjectsIdentityUnlinkedNotification            *string                     `json:"mailer_subjects_identity_unlinked_notification,omitempty" jsonschema_description:"Subject of the identity unlinked email."`
	MailerTemplatesInviteContent                          *string                     `json:"mailer_templates_invite_content,omitempty" jsonschema_description:"HTML body of the invite email."`
	MailerTemplatesConfirmationContent                    *string                     `json:"mailer_templates_confirmation_content,omitempty" jsonschema_description:"HTML body of the signup confirmation email."`
	MailerTemplatesRecoveryContent                        *string                     `json:"mailer_templates_recovery_content,omitempty" jsonschema_description:"HTML body of the password recovery email."`
	MailerTemplatesEmailChangeContent                     *string                     `json:"mailer_templates_email_change_content,omitempty" jsonschema_description:"HTML body of the email change email."`
	MailerTemplatesMagicLinkContent                       *string                     `json:"mailer_templates_magic_link_content,omitempty" jsonschema_description:"HTML body of the magic link email."`
	MailerTemplatesReauthenticationContent                *string                     `json:"mailer_templates_reauthentication_content,omitempty" jsonschema_description:"HTML body of the reauthentication email."`
	MailerTemplatesPasswordChangedNotificationContent     *string                     `json:"mailer_templates_password_changed_notification_content,omitempty" jsonschema_description:"HTML body of the password changed email."`
	MailerTemplatesEmailChangedNotificationContent        *string                     `json:"mailer_templates_email_changed_notification_content,omitempty" jsonschema_description:"HTML body of the email changed email."`
	MailerTemplatesPhoneChangedNotificationContent        *string                     `json:"mailer_templates_phone_changed_notification_content,omitempty" jsonschema_description:"HTML body of the phone changed email."`
	MailerTemplatesMFAFactorEnrolledNotificationContent   *string                     `json:"mailer_templates_mfa_factor_enrolled_notification_content,omitempty" jsonschema_description:"HTML body of the MFA factor enrolled email."`
	MailerTemplatesMFAFactorUnenrolledNotificationContent *string                     `json:"mailer_templates_mfa_factor_unenrolled_notification_content,omitempty" jsonschema_description:"HTML body of the MFA factor removed email."`
	MailerTemplatesIdentityLinkedNotificationContent      *string                     `json:"mailer_templates_identity_linked_notification_content,omitempty" jsonschema_description:"HTML body of the identity linked email."`
	MailerTemplatesIdentityUnlinkedNotificationContent    *string                     `json:"mailer_templates_identity_unlinked_notification_content,omitempty" jsonschema_description:"HTML body of the identity unlinked email."`
	MailerNotificationsPasswordChangedEnabled             *bool                       `json:"mailer_notifications_password_changed_enabled,omitempty" jsonschema_description:"Send the password changed notification email."`
	MailerNotificationsEmailChangedEnabled                *bool                       `json:"mailer_notifications_email_changed_enabled,omitempty" jsonschema_description:"Send the email changed notification email."`
	MailerNotificationsPhoneChangedEnabled                *bool                       `json:"mailer_notifications_phone_changed_enabled,omitempty" jsonschema_description:"Send the phone changed notification email."`
	MailerNotificationsMFAFactorEnrolledEnabled           *bool                       `json:"mailer_notifications_mfa_factor_enrolled_enabled,omitempty" jsonschema_description:"Send the MFA factor enrolled notification email."`
	MailerNotificationsMFAFactorUnenrolledEnabled         *bool                       `json:"mailer_notifications_mfa_factor_unenrolled_enabled,omitempty" jsonschema_description:"Send the MFA factor removed notification email."`
	MailerNotificationsIdentityLinkedEnabled              *bool                       `json:"mailer_notifications_identity_linked_enabled,omitempty" jsonschema_description:"Send the identity linked notification email."`
	MailerNotificationsIdentityUnlinkedEnabled            *bool                       `json:"mailer_notifications_identity_unlinked_enabled,omitempty" jsonschema_description:"Send the identity unlinked notification email."`
	MFAMaxEnrolledFactors                                 *int                        `json:"mfa_max_enrolled_factors,omitempty" jsonschema:"minimum=0,maximum=2147483647" jsonschema_description:"Most MFA factors per user."`
	URIAllowList                                          *string                     `json:"uri_allow_list,omitempty" jsonschema_description:"Allowed redirect URLs, comma-separated."`
	ExternalAnonymousUsersEnabled                         *bool                       `json:"external_anonymous_users_enabled,omitempty" jsonschema_description:"Allow anonymous sign-ins."`
	ExternalEmailEnabled                                  *bool                       `json:"external_email_enabled,omitempty" jsonschema_description:"Enable email sign-in."`
	ExternalPhoneEnabled                                  *bool                       `json:"external_phone_enabled,omitempty" jsonschema_description:"Enable phone sign-in."`
	SAMLEnabled                                           *bool                       `json:"saml_enabled,omitempty" jsonschema_description:"Enable SAML SSO."`
	SAMLExternalURL                                       *string                     `json:"saml_external_url,omitempty" jsonschema:"pattern=^[^\\,]+$" jsonschema_description:"External URL of the SAML endpoints (no commas)."`
	SecuritySBForwardedForEnabled                         *bool                       `json:"security_sb_forwarded_for_enabled,omitempty" jsonschema_description:"Trust the sb-forwarded-for header for client IPs."`
	SecurityCaptchaEnabled                                *bool                       `json:"security_captcha_enabled,omitempty" jsonschema_description:"Require a CAPTCHA on sign-up and sign-in."`
	SecurityCaptchaProvider                               *string                     `json:"security_captcha_provider,omitempty" jsonschema:"enum=turnstile,enum=hcaptcha" jsonschema_description:"CAPTCHA provider."`
	SecurityCaptchaSecret                                 *string                     `json:"security_captcha_secret,omitempty" jsonschema_description:"CAPTCHA provider secret."`
	SessionsTimebox                                       *float64                    `json:"sessions_timebox,omitempty" jsonschema:"minimum=0" jsonschema_description:"Maximum session length in seconds; 0 means no limit."`
	SessionsInactivityTimeout                             *float64                    `json:"sessions_inactivity_timeout,omitempty" jsonschema:"minimum=0" jsonschema_description:"Seconds of inactivity that end a session; 0 means never."`
	SessionsSinglePerUser                                 *bool                       `json:"sessions_single_per_user,omitempty" jsonschema_description:"Keep only the newest session of each user."`
	SessionsTags                                          *string                     `json:"sessions_tags,omitempty" jsonschema:"pattern=^\\s*([a-zA-Z0-9_-]+(\\s*\\,+\\s*)?)*\\s*$" jsonschema_description:"Session tags, comma-separated."`
	RateLimitAnonymousUsers                               *int                        `json:"rate_limit_anonymous_users,omitempty" jsonschema:"minimum=1,maximum=2147483647" jsonschema_description:"Anonymous sign-ins per hour per IP."`
	RateLimitEmailSent                                    *int                        `json:"rate_limit_email_sent,omitempty" jsonschema:"minimum=1,maximum=2147483647" jsonschema_description:"Emails sent per hour."`
	RateLimitSMSSent                                      *int                        `json:"rate_limit_sms_sent,omitempty" jsonschema:"minimum=1,maximum=2147483647" jsonschema_description:"SMS sent per hour."`
	RateLimitVerify                                       *int                        `json:"rate_limit_verify,omitempty" jsonschema:"minimum=1,maximum=2147483647" jsonschema_description:"Verification requests per 5 minutes per IP."`
	RateLimitTokenRefresh                                 *int                        `json:"rate_limit_token_refresh,omitempty" jsonschema:"minimum=1,maximum=2147483647" jsonschema_description:"Token refreshes per 5 minutes per IP."`
	RateLimitOTP                                          *int                        `json:"rate_limit_otp,omitempty" jsonschema:"minimum=1,maximum=2147483647" jsonschema_description:"OTP and magic link requests per 5 minutes per IP."`
	RateLimitWeb3                                         *int                        `json:"rate_limit_web3,omitempty" jsonschema:"minimum=1,maximum=2147483647" jsonschema_description:"Web3 sign-ins per 5 minutes per IP."`
	MailerSecureEmailChangeEnabled                        *bool                       `json:"mailer_secure_email_change_enabled,omitempty" jsonschema_description:"Confirm an email change on both the old and the new address."`
	RefreshTokenRotationEnabled                           *bool                       `json:"refresh_token_rotation_enabled,omitempty" jsonschema_description:"Rotate refresh tokens on use."`
	PasswordHIBPEnabled                                   *bool                       `json:"password_hibp_enabled,omitempty" jsonschema_description:"Reject passwords found in Have I Been Pwned."`
	PasswordMinLength                                     *int                        `json:"password_min_length,omitempty" jsonschema:"minimum=6,maximum=32767" jsonschema_description:"Minimum password length (at least 6)."`
	PasswordRequiredCharacters                            *PasswordRequiredCharacters `json:"password_required_characters,omitempty" jsonschema_description:"Character classes a password needs, colon-separated; empty for none."`
	SecurityManualLinkingEnabled                          *bool                       `json:"security_manual_linking_enabled,omitempty" jsonschema_description:"Allow users to link identities manually."`
	SecurityUpdatePasswordRequireReauthentication         *bool                       `json:"security_update_password_require_reauthentication,omitempty" jsonschema_description:"Require a recent sign-in to change the password."`
	SecurityRefreshTokenReuseInterval                     *int                        `json:"security_refresh_token_reuse_interval,omitempty" jsonschema:"minimum=0,maximum=2147483647" jsonschema_description:"Seconds a used refresh token may still be reused."`
	MailerOTPExp                                          *int                        `json:"mailer_otp_exp,omitempty" jsonschema:"minimum=0,maximum=2147483647" jsonschema_description:"Email OTP and link lifetime in seconds."`
	MailerOTPLength                                       *int                        `json:"mailer_otp_length,omitempty" jsonschema:"minimum=6,maximum=10" jsonschema_description:"Email OTP length (6 to 10)."`
	SMSAutoconfirm                                        *bool                       `json:"sms_autoconfirm,omitempty" jsonschema_description:"Confirm phone numbers automatically on sign-up."`
	SMSMaxFrequency                                       *int                        `json:"sms_max_frequency,omitempty" jsonschema:"minimum=0,maximum=32767" jsonschema_description:"Minimum seconds between SMS to one user."`
	SMSOTPExp                                             *int                        `json:"sms_otp_exp,omitempty" jsonschema:"minimum=0,maximum=2147483647" jsonschema_description:"SMS OTP lifetime in seconds."`
	SMSOTPLength                                          *int                        `json:"sms_otp_length,omitempty" jsonschema:"minimum=0,maximum=32767" jsonschema_description:"SMS OTP length."`
	SMSProvider                                           *string                     `json:"sms_provider,omitempty" jsonschema:"enum=messagebird,enum=textlocal,enum=twilio,enum=twilio_verify,enum=vonage" jsonschema_description:"SMS provider."`
	SMSMessagebirdAccessKey                               *string                     `json:"sms_messagebird_access_key,omitempty" jsonschema_description:"MessageBird access key."`
	SMSMessagebirdOriginator                              *string                     `json:"sms_messagebird_originator,omitempty" jsonschema_description:"MessageBird originator."`
	SMSTestOTP                                            *string                     `json:"sms_test_otp,omitempty" jsonschema:"pattern=^([0-9]{1\\,15}=[0-9]+\\,?)*$" jsonschema_description:"Fixed test OTPs as phone=code pairs, comma-separated."`
	SMSTestOTPValidUntil                                  *string                     `json:"sms_test_otp_valid_until,omitempty" jsonschema:"format=date-time" jsonschema_description:"Time the test OTPs stop working (RFC 3339)."`
	SMSTextlocalAPIKey                                    *string                     `json:"sms_textlocal_api_key,omitempty" jsonschema_description:"Textlocal API key."`
	SMSTextlocalSender                                    *string                     `json:"sms_textlocal_sender,omitempty" jsonschema_description:"Textlocal sender."`
	SMSTwilioAccountSID                                   *string                     `json:"sms_twilio_account_sid,omitempty" jsonschema_description:"Twilio account SID."`
	SMSTwilioAuthToken                                    *string                     `json:"sms_twilio_auth_token,omitempty" jsonschema_description:"Twilio auth token."`
	SMSTwilioContentSID                                   *string                     `json:"sms_twilio_content_sid,omitempty" jsonschema_description:"Twilio content SID (WhatsApp template)."`
	SMSTwilioMessageServiceSID                            *string                     `json:"sms_twilio_message_service_sid,omitempty" jsonschema_description:"Twilio messaging service SID."`
	SMSTwilioVerifyAccountSID                             *string                     `json:"sms_twilio_verify_account_sid,omitempty" jsonschema_description:"Twilio Verify account SID."`
	SMSTwilioVerifyAuthToken                              *string                     `json:"sms_twilio_verify_auth_token,omitempty" jsonschema_description:"Twilio Verify auth token."`
	SMSTwilioVerifyMessageServiceSID                      *string                     `json:"sms_twilio_verify_message_service_sid,omitempty" jsonschema_description:"Twilio Verify service SID."`
	SMSVonageAPIKey                                       *string                     `json:"sms_vonage_api_key,omitempty" jsonschema_description:"Vonage API key."`
	SMSVonageAPISecret                                    *string                     `json:"sms_vonage_api_secret,omitempty" jsonschema_description:"Vonage API secret."`
	SMSVonageFrom                                         *string                     `json:"sms_vonage_from,omitempty" jsonschema_description:"Vonage sender."`
	SMSTemplate                                           *string                     `json:"sms_template,omitempty" jsonschema_description:"SMS text; {{ .Code }} is the code."`
	HookMFAVerificationAttemptEnabled                     *bool                       `json:"hook_mfa_verification_attempt_enabled,omitempty" jsonschema_description:"Enable the MFA verification attempt hook."`
	HookMFAVerificationAttemptURI                         *string                     `json:"hook_mfa_verification_attempt_uri,omitempty" jsonschema_description:"URI of the MFA verification attempt hook (https: or pg-functions:)."`
	HookMFAVerificationAttemptSecrets                     *string                     `json:"hook_mfa_verification_attempt_secrets,omitempty" jsonschema_description:"Secrets of the MFA verification attempt hook (v1,whsec_...)."`
	HookPasswordVerificationAttemptEnabled                *bool                       `json:"hook_password_verification_attempt_enabled,omitempty" jsonschema_description:"Enable the password verification attempt hook."`
	HookPasswordVerificationAttemptURI                    *string                     `json:"hook_password_verification_attempt_uri,omitempty" jsonschema_description:"URI of the password verification attempt hook (https: or pg-functions:)."`
	HookPasswordVerificationAttemptSecrets                *string                     `json:"hook_password_verification_attempt_secrets,omitempty" jsonschema_description:"Secrets of the password verification attempt hook (v1,whsec_...)."`
	HookCustomAccessTokenEnabled                          *bool                       `json:"hook_custom_access_token_enabled,omitempty" jsonschema_description:"Enable the custom access token hook."`
	HookCustomAccessTokenURI                              *string                     `json:"hook_custom_access_token_uri,omitempty" jsonschema_description:"URI of the custom access token hook (https: or pg-functions:)."`
	HookCustomAccessTokenSecrets                          *string                     `json:"hook_custom_access_token_secrets,omitempty" jsonschema_description:"Secrets of the custom access token hook (v1,whsec_...)."`
	HookSendSMSEnabled                                    *bool                       `json:"hook_send_sms_enabled,omitempty" jsonschema_description:"Enable the send SMS hook."`
	HookSendSMSURI                                        *string                     `json:"hook_send_sms_uri,omitempty" jsonschema_description:"URI of the send SMS hook (https: or pg-functions:)."`
	HookSendSMSSecrets                                    *string                     `json:"hook_send_sms_secrets,omitempty" jsonschema_description:"Secrets of the send SMS hook (v1,whsec_...)."`
	HookSendEmailEnabled                                  *bool                       `json:"hook_send_email_enabled,omitempty" jsonschema_description:"Enable the send email hook."`
	HookSendEmailURI                                      *string                     `json:"hook_send_email_uri,omitempty" jsonschema_description:"URI of the send email hook (https: or pg-functions:)."`
	HookSendEmailSecrets                                  *string                     `json:"hook_send_email_secrets,omitempty" jsonschema_description:"Secrets of the send email hook (v1,whsec_...)."`
	HookBeforeUserCreatedEnabled                          *bool                       `json:"hook_before_user_created_enabled,omitempty" jsonschema_description:"Enable the before user created hook."`
	HookBeforeUserCreatedURI                              *string                     `json:"hook_before_user_created_uri,omitempty" jsonschema_description:"URI of the before user created hook (https: or pg-functions:)."`
	HookBeforeUserCreatedSecrets                          *string                     `json:"hook_before_user_created_secrets,omitempty" jsonschema_description:"Secrets of the before user created hook (v1,whsec_...)."`
	HookAfterUserCreatedEnabled                           *bool                       `json:"hook_after_user_created_enabled,omitempty" jsonschema_description:"Enable the after user created hook."`
	HookAfterUserCreatedURI                               *string                     `json:"hook_after_user_created_uri,omitempty" jsonschema_description:"URI of the after user created hook (https: or pg-functions:)."`
	HookAfterUserCreatedSecrets                           *string                     `json:"hook_after_user_created_secrets,omitempty" jsonschema_description:"Secrets of the after user created hook (v1,whsec_...)."`
	ExternalAppleEnabled                                  *bool                       `json:"external_apple_enabled,omitempty" jsonschema_description:"Enable Apple sign-in."`
	ExternalAppleClientID                                 *string                     `json:"external_apple_client_id,omitempty" jsonschema_description:"Apple client id."`
	ExternalAppleEmailOptional                            *bool                       `json:"external_apple_email_optional,omitempty" jsonschema_description:"Allow Apple users without an email."`
	ExternalAppleSecret                                   *string                     `json:"external_apple_secret,omitempty" jsonschema_description:"Apple client secret."`
	ExternalAppleAdditionalClientIDs                      *string                     `json:"external_apple_additional_client_ids,omitempty" jsonschema_description:"More Apple client ids, comma-separated."`
	ExternalAzureEnabled                                  *bool                       `json:"external_azure_enabled,omitempty" jsonschema_description:"Enable Azure sign-in."`
	ExternalAzureClientID                                 *string                     `json:"external_azure_client_id,omitempty" jsonschema_description:"Azure client id."`
	ExternalAzureEmailOptional                            *bool                       `json:"external_azure_email_optional,omitempty" jsonschema_description:"Allow Azure users without an email."`
	ExternalAzureSecret                                   *string                     `json:"external_azure_secret,omitempty" jsonschema_description:"Azure client secret."`
	ExternalAzureURL                                      *string                     `json:"external_azure_url,omitempty" jsonschema_description:"Azure server URL."`
	ExternalBitbucketEnabled                              *bool                       `json:"external_bitbucket_enabled,omitempty" jsonschema_description:"Enable Bitbucket sign-in."`
	ExternalBitbucketClientID                             *string                     `json:"external_bitbucket_client_id,omitempty" jsonschema_description:"Bitbucket client id."`
	ExternalBitbucketEmailOptional                        *bool                       `json:"external_bitbucket_email_optional,omitempty" jsonschema_description:"Allow Bitbucket users without an email."`
	ExternalBitbucketSecret                               *string                     `json:"external_bitbucket_secret,omitempty" jsonschema_description:"Bitbucket client secret."`
	ExternalDiscordEnabled                                *bool                       `json:"external_discord_enabled,omitempty" jsonschema_description:"Enable Discord sign-in."`
	ExternalDiscordClientID                               *string                     `json:"external_discord_client_id,omitempty" jsonschema_description:"Discord client id."`
	ExternalDiscordEmailOptional                          *bool                       `json:"external_discord_email_optional,omitempty" jsonschema_description:"Allow Discord users without an email."`
	ExternalDiscordSecret                                 *string                     `json:"external_discord_secret,omitempty" jsonschema_description:"Discord client secret."`
	ExternalFacebookEnabled                               *bool                       `json:"external_facebook_enabled,omitempty" jsonschema_description:"Enable Facebook sign-in."`
	ExternalFacebookClientID                              *string                     `json:"external_facebook_client_id,omitempty" jsonschema_description:"Facebook client id."`
	ExternalFacebookEmailOptional                         *bool                       `json:"external_facebook_email_optional,omitempty" jsonschema_description:"Allow Facebook users without an email."`
	ExternalFacebookSecret                                *string                     `json:"external_facebook_secret,omitempty" jsonschema_description:"Facebook client secret."`
	ExternalFigmaEnabled                                  *bool                       `json:"external_figma_enabled,omitempty" jsonschema_description:"Enable Figma sign-in."`
	ExternalFigmaClientID                                 *string                     `json:"external_figma_client_id,omitempty" jsonschema_description:"Figma client id."`
	ExternalFigmaEmailOptional                            *bool                       `json:"external_figma_email_optional,omitempty" jsonschema_description:"Allow Figma users without an email."`
	ExternalFigmaSecret                                   *string                     `json:"external_figma_secret,omitempty" jsonschema_description:"Figma client secret."`
	ExternalGithubEnabled                                 *bool                       `json:"external_github_enabled,omitempty" jsonschema_description:"Enable GitHub sign-in."`
	ExternalGithubClientID                                *string                     `json:"external_github_client_id,omitempty" jsonschema_description:"GitHub client id."`
	ExternalGithubEmailOptional                           *bool                       `json:"external_github_email_optional,omitempty" jsonschema_description:"Allow GitHub users without an email."`
	ExternalGithubSecret                                  *string                     `json:"external_github_secret,omitempty" jsonschema_description:"GitHub client secret."`
	ExternalGitlabEnabled                                 *bool                       `json:"external_gitlab_enabled,omitempty" jsonschema_description:"Enable GitLab sign-in."`
	ExternalGitlabClientID                                *string                     `json:"external_gitlab_client_id,omitempty" jsonschema_description:"GitLab client id."`
	ExternalGitlabEmailOptional                           *bool                       `json:"external_gitlab_email_optional,omitempty" jsonschema_description:"Allow GitLab users without an email."`
	ExternalGitlabSecret                                  *string                     `json:"external_gitlab_secret,omitempty" jsonschema_description:"GitLab client secret."`
	ExternalGitlabURL                                     *string                     `json:"external_gitlab_url,omitempty" jsonschema_description:"GitLab server URL."`
	ExternalGoogleEnabled                                 *bool                       `json:"external_google_enabled,omitempty" jsonschema_description:"Enable Google sign-in."`
	ExternalGoogleClientID                                *string                     `json:"external_google_client_id,omitempty" jsonschema_description:"Google client id."`
	ExternalGoogleEmailOptional                           *bool                       `json:"external_google_email_optional,omitempty" jsonschema_description:"Allow Google users without an email."`
	ExternalGoogleSecret                                  *string                     `json:"external_google_secret,omitempty" jsonschema_description:"Google client secret."`
	ExternalGoogleAdditionalClientIDs                     *string                     `json:"external_google_additional_client_ids,omitempty" jsonschema_description:"More Google client ids, comma-separated."`
	ExternalGoogleSkipNonceCheck                          *bool                       `json:"external_google_skip_nonce_check,omitempty" jsonschema_description:"Skip the nonce check of Google ID tokens."`
	ExternalKakaoEnabled                                  *bool                       `json:"external_kakao_enabled,omitempty" jsonschema_description:"Enable Kakao sign-in."`
	ExternalKakaoClientID                                 *string                     `json:"external_kakao_client_id,omitempty" jsonschema_description:"Kakao client id."`
	ExternalKakaoEmailOptional                            *bool                       `json:"external_kakao_email_optional,omitempty" jsonschema_description:"Allow Kakao users without an email."`
	ExternalKakaoSecret                                   *string                     `json:"external_kakao_secret,omitempty" jsonschema_description:"Kakao client secret."`
	ExternalKeycloakEnabled                               *bool                       `json:"external_keycloak_enabled,omitempty" jsonschema_description:"Enable Keycloak sign-in."`
	ExternalKeycloakClientID                              *string                     `json:"external_keycloak_client_id,omitempty" jsonschema_description:"Keycloak client id."`
	ExternalKeycloakEmailOptional                         *bool                       `json:"external_keycloak_email_optional,omitempty" jsonschema_description:"Allow Keycloak users without an email."`
	ExternalKeycloakSecret                                *string                     `json:"external_keycloak_secret,omitempty" jsonschema_description:"Keycloak client secret."`
	ExternalKeycloakURL                                   *string                     `json:"external_keycloak_url,omitempty" jsonschema_description:"Keycloak server URL."`
	ExternalLinkedinOIDCEnabled                           *bool                       `json:"external_linkedin_oidc_enabled,omitempty" jsonschema_description:"Enable LinkedIn (OIDC) sign-in."`
	ExternalLinkedinOIDCClientID                          *string                     `json:"external_linkedin_oidc_client_id,omitempty" jsonschema_description:"LinkedIn (OIDC) client id."`
	ExternalLinkedinOIDCEmailOptional                     *bool                       `json:"external_linkedin_oidc_email_optional,omitempty" jsonschema_description:"Allow LinkedIn (OIDC) users without an email."`
	ExternalLinkedinOIDCSecret                            *string                     `json:"external_linkedin_oidc_secret,omitempty" jsonschema_description:"LinkedIn (OIDC) client secret."`
	ExternalSlackOIDCEnabled                              *bool                       `json:"external_slack_oidc_enabled,omitempty" jsonschema_description:"Enable Slack (OIDC) sign-in."`
	ExternalSlackOIDCClientID                             *string                     `json:"external_slack_oidc_client_id,omitempty" jsonschema_description:"Slack (OIDC) client id."`
	ExternalSlackOIDCEmailOptional                        *bool                       `json:"external_slack_oidc_email_optional,omitempty" jsonschema_description:"Allow Slack (OIDC) users without an email."`
	ExternalSlackOIDCSecret                               *string                     `json:"external_slack_oidc_secret,omitempty" jsonschema_description:"Slack (OIDC) client secret."`
	ExternalNotionEnabled                                 *bool                       `json:"external_notion_enabled,omitempty" jsonschema_description:"Enable Notion sign-in."`
	ExternalNotionClientID                                *string                     `json:"external_notion_client_id,omitempty" jsonschema_description:"Notion client id."`
	ExternalNotionEmailOptional                           *bool                       `json:"external_notion_email_optional,omitempty" jsonschema_description:"Allow Notion users without an email."`
	ExternalNotionSecret                                  *string                     `json:"external_notion_secret,omitempty" jsonschema_description:"Notion client secret."`
	ExternalSlackEnabled                                  *bool                       `json:"external_slack_enabled,omitempty" jsonschema_description:"Enable Slack (deprecated API) sign-in."`
	ExternalSlackClientID                                 *string                     `json:"external_slack_client_id,omitempty" jsonschema_description:"Slack (deprecated API) client id."`
	ExternalSlackEmailOptional                            *bool                       `json:"external_slack_email_optional,omitempty" jsonschema_description:"Allow Slack (deprecated API) users without an email."`
	ExternalSlackSecret                                   *string                     `json:"external_slack_secret,omitempty" jsonschema_description:"Slack (deprecated API) client secret."`
	ExternalSpotifyEnabled                                *bool                       `json:"external_spotify_enabled,omitempty" jsonschema_description:"Enable Spotify sign-in."`
	ExternalSpotifyClientID                               *string                     `json:"external_spotify_client_id,omitempty" jsonschema_description:"Spotify client id."`
	ExternalSpotifyEmailOptional                          *bool                       `json:"external_spotify_email_optional,omitempty" jsonschema_description:"Allow Spotify users without an email."`
	ExternalSpotifySecret                                 *string                     `json:"external_spotify_secret,omitempty" jsonschema_description:"Spotify client secret."`
	ExternalTwitchEnabled                                 *bool                       `json:"external_twitch_enabled,omitempty" jsonschema_description:"Enable Twitch sign-in."`
	ExternalTwitchClientID                                *string                     `json:"external_twitch_client_id,omitempty" jsonschema_description:"Twitch client id."`
	ExternalTwitchEmailOptional                           *bool                       `json:"external_twitch_email_optional,omitempty" jsonschema_description:"Allow Twitch users without an email."`
	ExternalTwitchSecret                                  *string                     `json:"external_twitch_secret,omitempty" jsonschema_description:"Twitch client secret."`
	ExternalTwitterEnabled                                *bool                       `json:"external_twitter_enabled,omitempty" jsonschema_description:"Enable Twitter sign-in."`
	ExternalTwitterClientID                               *string                     `json:"external_twitter_client_id,omitempty" jsonschema_description:"Twitter client id."`
	ExternalTwitterEmailOptional                          *bool                       `json:"external_twitter_email_optional,omitempty" jsonschema_description:"Allow Twitter users without an email."`
	ExternalTwitterSecret                                 *string                     `json:"external_twitter_secret,omitempty" jsonschema_description:"Twitter client secret."`
	ExternalXEnabled                                      *bool                       `json:"external_x_enabled,omitempty" jsonschema_description:"Enable X sign-in."`
	ExternalXClientID                                     *string                     `json:"external_x_client_id,omitempty" jsonschema_description:"X client id."`
	ExternalXEmailOptional                                *bool                       `json:"external_x_email_optional,omitempty" jsonschema_description:"Allow X users without an email."`
	ExternalXSecret                                       *string                     `json:"external_x_secret,omitempty" jsonschema_description:"X client secret."`
	ExternalWorkosEnabled                                 *bool                       `json:"external_workos_enabled,omitempty" jsonschema_description:"Enable WorkOS sign-in."`
	ExternalWorkosClientID                                *string                     `json:"external_workos_client_id,omitempty" jsonschema_description:"WorkOS client id."`
	ExternalWorkosSecret                                  *string                     `json:"external_workos_secret,omitempty" jsonschema_description:"WorkOS client secret."`
	ExternalWorkosURL                                     *string                     `json:"external_workos_url,omitempty" jsonschema_description:"WorkOS server URL."`
	ExternalWeb3SolanaEnabled                             *bool                       `json:"external_web3_solana_enabled,omitempty" jsonschema_description:"Enable Sign in with Solana sign-in."`
	ExternalWeb3EthereumEnabled                           *bool                       `json:"external_web3_ethereum_enabled,omitempty" jsonschema_description:"Enable Sign in with Ethereum sign-in."`
	ExternalZoomEnabled                                   *bool                       `json:"external_zoom_enabled,omitempty" jsonschema_description:"Enable Zoom sign-in."`
	ExternalZoomClientID                                  *string                     `json:"external_zoom_client_id,omitempty" jsonschema_description:"Zoom client id."`
	ExternalZoomEmailOptional                             *bool                       `json:"external_zoom_email_optional,omitempty" jsonschema_description:"Allow Zoom users without an email."`
	ExternalZoomSecret                                    *string                     `json:"external_zoom_secret,omitempty" jsonschema_description:"Zoom client secret."`
	DBMaxPoolSize                                         *int                        `json:"db_max_pool_size,omitempty" jsonschema_description:"Database connections Auth may use."`
	DBMaxPoolSizeUnit                                     *string                     `json:"db_max_pool_size_unit,omitempty" jsonschema:"enum=connections,enum=percent" jsonschema_description:"Unit of db_max_pool_size."`
	APIMaxRequestDuration                                 *int                        `json:"api_max_request_duration,omitempty" jsonschema_description:"Request timeout of the Auth server in seconds."`
	MFATOTPEnrollEnabled                                  *bool                       `json:"mfa_totp_enroll_enabled,omitempty" jsonschema_description:"Allow enrolling TOTP factors."`
	MFATOTPVerifyEnabled                                  *bool                       `json:"mfa_totp_verify_enabled,omitempty" jsonschema_description:"Allow verifying TOTP factors."`
	MFAWebAuthnEnrollEnabled                              *bool                       `json:"mfa_web_authn_enroll_enabled,omitempty" jsonschema_description:"Allow enrolling WebAuthn factors."`
	MFAWebAuthnVerifyEnabled                              *bool                       `json:"mfa_web_authn_verify_enabled,omitempty" jsonschema_description:"Allow verifying WebAuthn factors."`
	PasskeyEnabled                                        *bool                       `json:"passkey_enabled,omitempty" jsonschema_description:"Enable passkey sign-in."`
	WebauthnRPDisplayName                                 *string                     `json:"webauthn_rp_display_name,omitempty" jsonschema_description:"WebAuthn relying party display name."`
	WebauthnRPID                                          *string                     `json:"webauthn_rp_id,omitempty" jsonschema_description:"WebAuthn relying party id (a domain)."`
	WebauthnRPOrigins                                     *string                     `json:"webauthn_rp_origins,omitempty" jsonschema_description:"WebAuthn allowed origins, comma-separated."`
	MFAPhoneEnrollEnabled                                 *bool                       `json:"mfa_phone_enroll_enabled,omitempty" jsonschema_description:"Allow enrolling phone MFA factors."`
	MFAPhoneVerifyEnabled                                 *bool                       `json:"mfa_phone_verify_enabled,omitempty" jsonschema_description:"Allow verifying phone MFA factors."`
	MFAPhoneMaxFrequency                                  *int                        `json:"mfa_phone_max_frequency,omitempty" jsonschema:"minimum=0,maximum=32767" jsonschema_description:"Minimum seconds between phone MFA codes."`
	MFAPhoneOTPLength                                     *int                        `json:"mfa_phone_otp_length,omitempty" jsonschema:"minimum=0,maximum=32767" jsonschema_description:"Phone MFA code length."`
	MFAPhoneTemplate                                      *string                     `json:"mfa_phone_template,omitempty" jsonschema_description:"Phone MFA SMS text; {{ .Code }} is the code."`
	NimbusOAuthClientID                                   *string                     `json:"nimbus_oauth_client_id,omitempty" jsonschema_description:"Nimbus OAuth client id."`
	NimbusOAuthClientSecret                               *string                     `json:"nimbus_oauth_client_secret,omitempty" jsonschema_description:"Nimbus OAuth client secret."`
	OAuthServerEnabled                                    *bool                       `json:"oauth_server_enabled,omitempty" jsonschema_description:"Make Auth an OAuth 2.1 server."`
	OAuthServerAllowDynamicRegistration                   *bool                       `json:"oauth_server_allow_dynamic_registration,omitempty" jsonschema_description:"Allow OAuth dynamic client registration."`
	OAuthServerAuthorizationPath                          *string                     `json:"oauth_server_authorization_path,omitempty" jsonschema_description:"Path of the OAuth consent page on the site."`
	CustomOAuthEnabled                                    *bool                       `json:"custom_oauth_enabled,omitempty" jsonschema_description:"Enable custom OAuth providers."`
}

// PasswordRequiredCharacters is a spec enum whose values hold commas, quotes
// and a backtick, which struct tags cannot carry; its schema is set here.
type PasswordRequiredCharacters string

// passwordRequiredCharacters are the spec's values, verbatim.
var passwordRequiredCharacters = []any{
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ:0123456789",
	"abcdefghijklmnopqrstuvwxyz:ABCDEFGHIJKLMNOPQRSTUVWXYZ:0123456789",
	"abcdefghijklmnopqrstuvwxyz:ABCDEFGHIJKLMNOPQRSTUVWXYZ:0123456789:!@#$%^&*()_+-=[]{};'\\\\:\"|<>?,./`~",
	"",
}

// JSONSchemaExtend lists the allowed values.
func (PasswordRequiredCharacters) JSONSchemaExtend(s *jsonschema.Schema) {
	s.Enum = passwordRequiredCharacters
}
