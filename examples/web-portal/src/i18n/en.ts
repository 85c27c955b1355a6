/**
 * The portal's words in English. `fr.ts` has the same keys (the type makes a missing one a
 * compile error). A vendor rebranding the portal edits these two files.
 */
export const en = {
  languageName: "English",
  switchTo: "Français",
  switchToLabel: "Afficher le portail en français",
  skipToContent: "Skip to main content",
  portal: "Patient portal",
  loading: "Loading…",
  close: "Close",
  back: "Back",
  backHome: "Back to home",
  tryAgain: "Try again",
  required: "required",
  fault: {
    network: "The portal could not reach the clinic's server. Check your connection and try again.",
    unexpected: "Something went wrong on our side. Try again in a moment, or call the clinic."
  },
  clinic: {
    notFoundTitle: "No clinic at this address",
    notFound:
      "Check the portal address your clinic gave you: it ends with your clinic's name, for example /toronto-west/.",
    chooseTitle: "Open your clinic's portal",
    chooseIntro:
      "Each clinic has its own portal address. Type the name your clinic gave you, or open the link in its email or text message.",
    slugLabel: "Clinic's portal name",
    slugHint: "Lowercase letters, digits and dashes, e.g. toronto-west",
    slugInvalid: "Use lowercase letters, digits and dashes only, e.g. toronto-west.",
    open: "Open"
  },
  nav: {
    label: "Main",
    home: "Home",
    messages: "Messages",
    appointments: "Appointments",
    visit: "Virtual visit",
    me: "My information",
    logout: "Logout"
  },
  login: {
    title: "Log in",
    intro: (clinic: string) =>
      `Log in to the ${clinic} portal with your health card and the email or mobile number the clinic has on file.`,
    identification: "Identification",
    idType: "ID type",
    idTypes: { "ON-HCN": "ON — Ontario health card (OHIP)" } as Record<string, string>,
    cardNumber: "Health card number",
    cardHint:
      "The 10 digits on the front of your card, e.g. 1234 567 890 (the two letters after them may be left out).",
    contactLegend: "Where should we send your code?",
    byEmail: "Email",
    bySms: "Mobile",
    email: "Email address",
    mobile: "Mobile number",
    mobileHint: "The number that receives text messages, e.g. 416 555 0123.",
    next: "Next",
    sentEmail: (to: string) =>
      `If the details match our records, we sent a 6-digit code to ${to}. Check your email, and your spam or junk folder if it is not there within a minute.`,
    sentSms: (to: string) =>
      `If the details match our records, we sent a 6-digit code by text message (SMS) to ${to}.`,
    codeTitle: "Enter your code",
    code: "One-time passcode",
    codeHint: "6 digits. It expires after 10 minutes.",
    stayLoggedIn: "Stay logged in",
    stayHint: "For 30 days on this device. Leave it unchecked on a shared computer.",
    submit: "LOGIN",
    resend: "Send a new code",
    resent: "A new code is on its way. The older one no longer works.",
    startAgain: "Start again",
    lockedHelp: "For your security this code no longer works. Start again to get a new code.",
    noPortal: "No access to the portal yet? Call the clinic.",
    sessionEnded:
      "For your security you were logged out after a while without activity. Log in again to go on where you were.",
    errors: {
      cardNumber: "Enter the 10 digits of your health card number.",
      email: "Enter an email address such as name@example.org.",
      mobile: "Enter a mobile number with its area code, e.g. 416 555 0123.",
      code: "Enter the 6 digits of the code we sent you."
    }
  },
  link: {
    title: (clinic: string) => `A message from ${clinic}`,
    waiting: {
      message: (clinic: string) => `${clinic} sent you a secure message. Log in to read it.`,
      upload: (clinic: string) => `${clinic} asks you to send a photo securely. Log in to upload it.`
    },
    code: "Quick passcode",
    codeHint: "The 8 characters in the email or text message. Capitals count.",
    dateOfBirth: "Date of birth",
    dateOfBirthHint: "As on your health card.",
    submit: "LOGIN",
    expired: "This link has expired. Ask for a new quick passcode, or log in with your health card.",
    used: "This link was already used. Log in with your health card to see what it opened.",
    locked:
      "This link is locked after too many wrong entries. Ask for a new quick passcode, or log in with your health card.",
    superseded:
      "A newer quick passcode was sent for this link. Use the code in the newest email or text message, or ask for another.",
    resend: "Resend Quick Passcode",
    resentTo: (where: string) => `We sent a new quick passcode to ${where}. It works with this same link.`,
    resentChannel: { email: "your email", sms: "your mobile by text message" },
    continueToLogin: "Continue to Login",
    notFound:
      "This link is not valid. Check that you opened the whole link from the email or text message, or log in with your health card.",
    errors: {
      code: "Enter the 8-character quick passcode.",
      dateOfBirth: "Enter your date of birth.",
      mismatch: (left: number) =>
        `The quick passcode or the date of birth does not match. Check both: ${left === 1 ? "1 attempt" : `${left} attempts`} left before the link locks.`
    }
  },
  home: {
    title: (name: string) => `Hello, ${name}`,
    unread: (n: number) =>
      n === 0 ? "No unread messages" : n === 1 ? "1 unread message" : `${n} unread messages`,
    nextAppointment: (when: string) => `Next appointment: ${when}`,
    noAppointment: "No upcoming appointment",
    meSummary: "Contact details, address and notifications",
    visitSummary: "Join a video visit with your access code"
  },
  messages: {
    title: "Messages",
    one: "Message",
    empty: "No messages yet. When the clinic writes to you, it appears here.",
    unread: "Unread",
    more: "Older messages",
    sent: (when: string) => `Sent ${when}`,
    replies: "Replies",
    you: "You",
    reply: "Your reply",
    replyHint: "The clinic reads replies during office hours. For an emergency, call 911.",
    submit: "Submit",
    replied: "Your reply was sent.",
    noReply:
      "This conversation does not take replies. To answer, call the clinic or start a new conversation at your next visit.",
    errors: { empty: "Type a reply before you submit it." }
  },
  appointments: {
    title: "Appointments",
    upcoming: "Upcoming",
    past: "Past and cancelled",
    noneUpcoming: "No upcoming appointments.",
    nonePast: "No past appointments.",
    new: "+ New Appointment",
    details: "Details",
    status: {
      requested: "Requested: the clinic will confirm",
      booked: "Booked",
      cancelled: "Cancelled",
      completed: "Completed"
    } as Record<string, string>,
    mode: { "in-person": "In person", virtual: "Virtual (video)" } as Record<string, string>,
    with: (provider: string) => `with ${provider}`,
    timeZoneNote: (zone: string) => `Times are shown in the clinic's time zone (${zone}).`
  },
  booking: {
    title: "New appointment",
    rescheduleTitle: "Choose a new time",
    type: "Type of appointment",
    provider: "Provider",
    choose: "Choose…",
    slots: "Open times",
    days: "Days with open times",
    openCount: (n: number) => (n === 1 ? "1 open time" : `${n} open times`),
    noSlots: "No open times this week. Try the next week, or call the clinic.",
    previousWeek: "Previous week",
    nextWeek: "Next week",
    week: (from: string, to: string) => `${from} to ${to}`,
    chosen: (when: string) => `Chosen: ${when}`,
    book: "Book",
    request: "Request",
    requestNote: "The clinic confirms requested appointments and lets you know.",
    confirmMove: (when: string) => `Move to ${when}`,
    booked: "Your appointment is booked.",
    requested: "Your request was sent. The clinic will confirm it.",
    moved: "Your appointment was moved.",
    chooseFirst: "Choose a type of appointment and a provider to see open times.",
    duration: (minutes: number) => `${minutes} min`
  },
  appointment: {
    title: "Appointment",
    when: "When",
    provider: "Provider",
    type: "Type",
    status: "Status",
    change: "Change time",
    cancel: "Cancel appointment",
    cancelConfirm: "Cancel this appointment? The time goes to another patient.",
    cancelYes: "Yes, cancel it",
    keep: "Keep it",
    cancelled: "Your appointment was cancelled.",
    tasks: "Before your visit",
    noTasks: "Nothing to fill in before this visit.",
    taskDone: "Done: your answers are in your record.",
    taskCancelled: "No longer needed: the appointment was cancelled.",
    changeWindow: (hours: number) =>
      `You can change or cancel online until ${hours} hours before the visit. After that, call the clinic.`,
    joinVisit: "How to join this virtual visit"
  },
  questionnaire: {
    submit: "Send",
    sent: "Thank you. Your answers were filed in your record.",
    yes: "Yes",
    no: "No",
    summary: (n: number) => (n === 1 ? "1 answer needs attention." : `${n} answers need attention.`),
    errors: {
      required: "Answer this question.",
      integer: "Enter a whole number.",
      min: (n: number) => `Enter ${n} or more.`,
      max: (n: number) => `Enter ${n} or less.`,
      tooLong: (n: number) => `Use at most ${n} characters.`,
      date: "Enter a date."
    }
  },
  visit: {
    title: "Join a virtual visit",
    intro: "Your access code is in the email or text message the clinic sent 5 minutes before your visit.",
    prepare: "Before you join",
    tips: [
      "Use an up-to-date browser: Chrome, Edge, Firefox or Safari.",
      "When the browser asks, allow the camera and the microphone. If you said no, allow them in the browser's site settings.",
      "Use a steady connection: Wi-Fi close to the router, or a strong mobile signal. Close other video apps.",
      "Sit somewhere quiet and well lit, with your health card at hand."
    ],
    code: "Access code",
    codeHint: "8 characters. Capitals count: type it exactly as in the message.",
    submit: "Join",
    ready: (time: string) => `Your visit is open. It is scheduled for ${time}`,
    open: "Open the video visit",
    failedHelp:
      "If the code does not work: check each character (capitals count), use the newest message, or call the clinic and ask for a new code.",
    errors: { code: "Enter the 8-character access code." }
  },
  upload: {
    title: "Upload a photo",
    intro:
      "The clinic asked for a photo. It goes straight into your record, and your provider sees it at your visit.",
    note: "The clinic's note",
    file: "Photo",
    fileHint: "A JPEG, PNG or HEIC photo of at most 10 MB.",
    submit: "Upload",
    progress: "Upload progress",
    done: "Your photo is in your record. Your provider will see it at your visit.",
    used: "This request already has its photo. Thank you.",
    expired: "This request has expired. Call the clinic if they still need the photo.",
    cancelled: "The clinic withdrew this request. Nothing to send.",
    errors: {
      missing: "Choose a photo to upload.",
      tooLarge: (mb: string) => `This file is ${mb} MB. Choose a photo of at most 10 MB.`,
      notAPhoto: "This file is not a JPEG, PNG or HEIC photo. Choose a photo."
    }
  },
  me: {
    title: "My information",
    name: "Name",
    dateOfBirth: "Date of birth",
    healthCard: "Health card",
    email: "Email",
    mobile: "Mobile",
    none: "None on file",
    address: "Address",
    line1: "Street address",
    line2: "Apartment, suite (optional)",
    city: "City",
    region: "Province",
    postalCode: "Postal code",
    country: "Country",
    preferences: "Notifications and language",
    notificationPreference: "Send me notifications by",
    pref: { email: "Email", sms: "Text message (SMS)", both: "Both" } as Record<string, string>,
    language: "Language",
    update: "Update",
    updated: "Saved to your record.",
    contacts: "Login contacts",
    contactsIntro:
      "A new email or mobile needs the code we send to it before it is used. Changing one logs out your other devices.",
    newEmail: "New email address",
    newMobile: "New mobile number",
    sendCode: "Send code",
    codeSent: (kind: string) => `We sent a code to the new ${kind}. Enter it below.`,
    verifyCode: "Code",
    verifyCodeHint: "The 8 characters we sent to the new contact. Capitals count.",
    verify: "Confirm",
    verified: "Your new contact is saved.",
    sessions: "Devices logged in",
    current: "This device",
    started: (when: string) => `Logged in ${when}`,
    lastSeen: (when: string) => `last active ${when}`,
    stay: "stays logged in",
    end: "Log out this device",
    ended: "The other device was logged out.",
    errors: {
      required: "Fill in this field.",
      email: "Enter an email address such as name@example.org.",
      mobile: "Enter a mobile number with its area code."
    }
  },
  logout: { done: "You are logged out." }
}

/** The shape every language's words have. */
export type Messages = typeof en
