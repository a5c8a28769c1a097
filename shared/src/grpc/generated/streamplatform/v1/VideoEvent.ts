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
  /**
   * The owner of the event's channel (who may see its private figures).
   */
  'ownerId'?: (string);
  /**
   * Its poster under the edge's /hls/ (the upload, the live frame, the recording's); empty if none.
   */
  'posterPath'?: (string);
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
  /**
   * The owner of the event's channel (who may see its private figures).
   */
  'ownerId': (string);
  /**
   * Its poster under the edge's /hls/ (the upload, the live frame, the recording's); empty if none.
   */
  'posterPath': (string);
}
