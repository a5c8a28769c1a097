// Original file: protos/streamplatform/v1/events.proto


export interface VideoEvent {
  'id'?: (string);
  'channelId'?: (string);
  'title'?: (string);
  /**
   * scheduled, live, ended or cancelled.
   */
  'status'?: (string);
  /**
   * RFC 3339.
   */
  'startsAt'?: (string);
  'endsAt'?: (string);
}

export interface VideoEvent__Output {
  'id': (string);
  'channelId': (string);
  'title': (string);
  /**
   * scheduled, live, ended or cancelled.
   */
  'status': (string);
  /**
   * RFC 3339.
   */
  'startsAt': (string);
  'endsAt': (string);
}
